/*
 * site-gen: reacts to the Callbridge room's leave event.
 *
 * The room iframe posts {type: 'iotumLeaveCallEvent', reason} (the platform
 * guide) or {type: 'conference', event: 'CONFERENCE_CALL_EXIT', reason}
 * (iotum's embed SDK). A message is trusted only when it comes from the
 * meeting origin AND from this room's own frame: any other window can post
 * messages to this page. For a trusted leave the page dispatches a
 * cancelable `callbridge:leave` event (detail: {reason}) and, unless a
 * listener called preventDefault(), performs the page's on_leave action.
 */
(function () {
  'use strict';

  var REASONS = ['left', 'kicked', 'blocked'];

  function leaveReason(data) {
    if (!data || typeof data !== 'object') return null;
    if (data.type === 'iotumLeaveCallEvent') return data.reason;
    if (data.type === 'conference' && data.event === 'CONFERENCE_CALL_EXIT') return data.reason;
    return null;
  }

  function capitalize(word) {
    return word.charAt(0).toUpperCase() + word.slice(1);
  }

  // Only same-site paths and https URLs are followed (checked again at build).
  function safeUrl(value) {
    try {
      var url = new URL(value, window.location.href);
      if (url.protocol === 'https:' || url.origin === window.location.origin) return url.href;
    } catch (e) { /* not a URL */ }
    return null;
  }

  function perform(room, reason) {
    var key = 'onLeave' + capitalize(reason);
    var url = room.dataset[key + 'Url'];
    var message = room.dataset[key + 'Message'];
    if (url) {
      var target = safeUrl(url);
      if (target) window.location.assign(target);
    } else if (message) {
      var note = document.createElement('p');
      note.className = 'cb-left-message';
      note.setAttribute('role', 'status');
      note.textContent = message;
      room.replaceChildren(note);
      room.classList.add('cb-room-left');
    }
  }

  function connect(room) {
    var frame = room.querySelector('iframe');
    var origin = room.dataset.meetingOrigin;
    if (!frame || !origin) return;
    window.addEventListener('message', function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var reason = leaveReason(event.data);
      if (typeof reason !== 'string') return;
      var leave = new CustomEvent('callbridge:leave', {
        bubbles: true, cancelable: true, detail: { reason: reason }
      });
      if (room.dispatchEvent(leave) && REASONS.indexOf(reason) !== -1) perform(room, reason);
    });
  }

  function start() {
    var rooms = document.querySelectorAll('[data-callbridge-room]');
    for (var i = 0; i < rooms.length; i++) connect(rooms[i]);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
