/*
 * site-gen: reacts to the Callbridge room's leave event, and keeps webinar
 * pages current (local times, countdown, room opening, ended state).
 *
 * The room iframe posts {type: 'iotumLeaveCallEvent', reason} (the platform
 * guide) or {type: 'conference', event: 'CONFERENCE_CALL_EXIT', reason}
 * (iotum's embed SDK). A message is trusted only when it comes from the
 * meeting origin AND from this room's own frame: any other window can post
 * messages to this page. For a trusted leave the page dispatches a
 * cancelable `callbridge:leave` event (detail: {reason}) and, unless a
 * listener called preventDefault(), performs the page's on_leave action.
 *
 * Webinar pages and event cards carry data-event-start / -end / -opens (ISO
 * 8601 with offsets). The build wrote the state of its own time; this script
 * computes the state now ('upcoming', 'open' = room open before the start,
 * 'live', 'ended', or 'overtime' = ended while the visitor is still in the
 * room, which is never torn down under them) and shows exactly the elements
 * whose data-event-show lists it. The room's iframe waits in a <template
 * data-room-frame> until the room opens. <time data-local-time> elements are
 * rewritten in the visitor's time zone (Intl), in the page's language, with
 * the same CLDR styles the build used (Babel), so nothing changes for a
 * visitor in the event's zone. All words come from the HTML (the templates'
 * gettext catalogs), plural forms included: Intl.PluralRules picks one.
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
      // The status region is in the page from the start, so filling it is a
      // change screen readers announce; focus moves to it because the iframe
      // that held focus goes away (focus would fall to <body>).
      var note = room.querySelector('[data-room-status]');
      if (!note) {
        note = document.createElement('p');
        note.className = 'cb-left-message';
        note.setAttribute('role', 'status');
        note.tabIndex = -1;
      }
      var frames = room.querySelectorAll('iframe, template');
      for (var i = 0; i < frames.length; i++) frames[i].parentNode.removeChild(frames[i]);
      if (!note.parentNode) room.appendChild(note);
      room.classList.add('cb-room-left');
      note.textContent = message;
      note.focus();
    }
  }

  function connect(room) {
    var origin = room.dataset.meetingOrigin;
    if (!origin) return;
    window.addEventListener('message', function (event) {
      // Looked up per message: a webinar's frame is mounted when its room opens.
      var frame = room.querySelector('iframe');
      if (!frame || event.origin !== origin || event.source !== frame.contentWindow) return;
      var reason = leaveReason(event.data);
      if (typeof reason !== 'string') return;
      var leave = new CustomEvent('callbridge:leave', {
        bubbles: true, cancelable: true, detail: { reason: reason }
      });
      if (room.dispatchEvent(leave) && REASONS.indexOf(reason) !== -1) perform(room, reason);
    });
  }

  // -- local times ---------------------------------------------------------

  // The build wrote each time with CLDR's formats in the page's language
  // (Babel): the full date, the short time, joined by the locale's date-time
  // pattern, which the page hands over in data-datetime-pattern. The same
  // styles through Intl give the same text, now in the visitor's zone.
  var STYLES = { date: { dateStyle: 'full' }, time: { timeStyle: 'short' } };

  function language() {
    return document.documentElement.lang || undefined;
  }

  // One formatter per style: making one costs milliseconds (more on a slow phone),
  // and a webinar page has a dozen times to rewrite.
  var formatters = {};

  function formatter(key, options) {
    if (formatters[key]) return formatters[key];
    try {
      formatters[key] = new Intl.DateTimeFormat(language(), options);
    } catch (e) {
      formatters[key] = new Intl.DateTimeFormat(undefined, options);
    }
    return formatters[key];
  }

  function formatTime(style, when) {
    if (STYLES[style]) return formatter(style, STYLES[style]).format(when);
    var pattern = document.documentElement.dataset.datetimePattern || '{1}, {0}';
    return pattern.split('{1}').join(formatTime('date', when))
      .split('{0}').join(formatTime('time', when));
  }

  // The visitor's zone by its long CLDR name at a moment ("heure normale d’Europe centrale").
  function zoneName(when) {
    var parts = formatter('zone', { timeZoneName: 'long' }).formatToParts(when);
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].type === 'timeZoneName') return parts[i].value;
    }
    return null;
  }

  function localizeTimes() {
    if (typeof Intl === 'undefined' || !Intl.DateTimeFormat) return;
    var nodes = document.querySelectorAll('time[data-local-time]');
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var when = new Date(node.getAttribute('datetime'));
      if (isNaN(when.getTime())) continue;
      // Hovering still shows the time as published, in the event's own zone.
      if (!node.title) node.title = node.textContent.trim();
      var text = formatTime(node.dataset.localTime, when);
      if (node.textContent !== text) node.textContent = text;
    }
    var names = document.querySelectorAll('[data-zone-name]');
    for (var j = 0; j < names.length; j++) {
      var at = new Date(names[j].dataset.zoneAt || Date.now());
      var name = zoneName(isNaN(at.getTime()) ? new Date() : at);
      if (name && names[j].textContent !== name) names[j].textContent = name;
    }
    var notes = document.querySelectorAll('[data-zone]');
    for (var k = 0; k < notes.length; k++) notes[k].hidden = notes[k].dataset.zone !== 'local';
  }

  // -- event states --------------------------------------------------------

  function pad(number) {
    return number < 10 ? '0' + number : String(number);
  }

  // A unit's word for a number: the template wrote the catalog's form for each
  // of the language's plural categories (data-plural-one, -few, -many...);
  // Intl.PluralRules names the category of the number shown.
  var plurals = null;
  function pluralize(unit, count) {
    if (plurals === null) {
      try {
        plurals = new Intl.PluralRules(language());
      } catch (e) {
        plurals = new Intl.PluralRules('en');
      }
    }
    var category = plurals.select(count);
    var key = 'plural' + capitalize(category);
    var word = unit.dataset[key] !== undefined ? unit.dataset[key] : unit.dataset.pluralOther;
    if (word !== undefined && unit.textContent !== word) unit.textContent = word;
  }

  function showCountdown(scope, ms) {
    var box = scope.querySelector('[data-countdown]');
    if (!box) return;
    var total = Math.max(0, Math.floor(ms / 1000));
    var parts = {
      days: Math.floor(total / 86400),
      hours: Math.floor((total % 86400) / 3600),
      minutes: Math.floor((total % 3600) / 60),
      seconds: total % 60
    };
    var values = box.querySelectorAll('[data-countdown-part]');
    for (var i = 0; i < values.length; i++) {
      var name = values[i].dataset.countdownPart;
      var text = name === 'days' ? String(parts[name]) : pad(parts[name]);
      if (values[i].textContent !== text) values[i].textContent = text;
      var unit = values[i].parentNode.querySelector('[data-plural]');
      if (unit) pluralize(unit, parts[name]);
    }
    box.hidden = false;
    var fallback = scope.querySelector('[data-countdown-fallback]');
    if (fallback) fallback.hidden = true;
  }

  function mountRoom(scope) {
    var templates = scope.querySelectorAll('template[data-room-frame]');
    for (var i = 0; i < templates.length; i++) {
      var template = templates[i];
      template.parentNode.insertBefore(template.content.cloneNode(true), template);
      template.parentNode.removeChild(template);
    }
    return templates.length > 0;
  }

  function trackEvent(scope) {
    var start = Date.parse(scope.dataset.eventStart);
    var end = Date.parse(scope.dataset.eventEnd);
    var opens = Date.parse(scope.dataset.eventOpens);
    if (isNaN(start) || isNaN(end)) return;
    if (isNaN(opens)) opens = start;
    var inRoom = false;
    var shown = null;
    var timer = null;

    function show(state) {
      if (state === shown) return;
      shown = state;
      scope.dataset.eventState = state;
      var nodes = scope.querySelectorAll('[data-event-show]');
      for (var i = 0; i < nodes.length; i++) {
        nodes[i].hidden = nodes[i].dataset.eventShow.split(/\s+/).indexOf(state) === -1;
      }
    }

    function update() {
      window.clearTimeout(timer);
      var now = Date.now();
      var state = now >= end ? 'ended' : now >= start ? 'live' : now >= opens ? 'open' : 'upcoming';
      if ((state === 'open' || state === 'live') && mountRoom(scope)) inRoom = true;
      if (state === 'ended' && inRoom) state = 'overtime';
      show(state);
      if (state === 'upcoming') showCountdown(scope, start - now);
      // Tick on the second while something can still change.
      if (state !== 'ended') timer = window.setTimeout(update, 1000 - (now % 1000));
    }

    // Leaving the room after the end: the page shows "ended" right away.
    scope.addEventListener('callbridge:leave', function () {
      inRoom = false;
      update();
    });
    update();
  }

  // The "Add to calendar" menu (<details data-menu>) closes like a menu.
  function closeMenus(except) {
    var menus = document.querySelectorAll('details[data-menu][open]');
    for (var i = 0; i < menus.length; i++) {
      if (menus[i] !== except) menus[i].open = false;
    }
  }

  function setupMenus() {
    document.addEventListener('click', function (event) {
      var target = event.target instanceof Element ? event.target.closest('details[data-menu]') : null;
      closeMenus(target);
    });
    document.addEventListener('keydown', function (event) {
      if (event.key !== 'Escape') return;
      var open = document.querySelector('details[data-menu][open]');
      if (!open) return;
      open.open = false;
      var summary = open.querySelector('summary');
      if (summary) summary.focus();
    });
  }


  // -- consent ---------------------------------------------------------------
  // Cookie-setting analytics are written as inert <script type="text/plain"
  // data-consent-src> tags; they load only once the visitor accepts in the
  // banner. The choice stays in this browser (localStorage) and the footer's
  // data-consent-open button reopens the banner. Nothing is sent anywhere.

  var CONSENT_KEY = 'site-gen-consent';
  var consentLoaded = false;

  function storedChoice() {
    try { return window.localStorage.getItem(CONSENT_KEY); } catch (e) { return null; }
  }

  function storeChoice(choice) {
    try { window.localStorage.setItem(CONSENT_KEY, choice); } catch (e) { /* private mode */ }
  }

  function loadConsented() {
    if (consentLoaded) return;
    consentLoaded = true;
    var tags = document.querySelectorAll('script[data-consent-src]');
    for (var i = 0; i < tags.length; i++) {
      var inert = tags[i];
      var script = document.createElement('script');
      for (var j = 0; j < inert.attributes.length; j++) {
        var attr = inert.attributes[j];
        if (attr.name !== 'type' && attr.name !== 'data-consent-src') {
          script.setAttribute(attr.name, attr.value);
        }
      }
      script.async = false; // in order: a preset's configuration before its library
      script.src = inert.getAttribute('data-consent-src');
      inert.parentNode.insertBefore(script, inert.nextSibling);
    }
  }

  // While the banner is open the page keeps room for it at the bottom, so
  // that nothing (a form's button, the footer) stays hidden behind it.
  function showBanner(banner, shown) {
    banner.hidden = !shown;
    var root = document.documentElement;
    root.classList.toggle('consent-open', shown);
    if (shown) root.style.setProperty('--consent-height', banner.offsetHeight + 'px');
  }

  function setupConsent() {
    var banner = document.querySelector('[data-consent-banner]');
    if (!banner) return;
    var choice = storedChoice();
    if (choice === 'accepted') loadConsented();
    else if (choice !== 'rejected') showBanner(banner, true);
    banner.addEventListener('click', function (event) {
      var button = event.target instanceof Element ? event.target.closest('[data-consent-choice]') : null;
      if (!button) return;
      var chosen = button.getAttribute('data-consent-choice');
      storeChoice(chosen);
      showBanner(banner, false);
      if (chosen === 'accepted') loadConsented();
      // Scripts already running cannot be unloaded: a fresh page has none.
      else if (consentLoaded) window.location.reload();
    });
    var openers = document.querySelectorAll('[data-consent-open]');
    for (var k = 0; k < openers.length; k++) {
      openers[k].addEventListener('click', function () {
        showBanner(banner, true);
        var first = banner.querySelector('[data-consent-choice]');
        if (first) first.focus();
      });
    }
  }

  // -- registration forms ------------------------------------------------------
  // The form posts as it is without script. With it: page_url and the
  // visitor's utm_* parameters are filled in, fields are checked with the
  // browser's own (localised) messages shown beside each field, and a form
  // to an endpoint is sent in the background before the thank-you page opens.

  var UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'];

  function showFieldError(field) {
    var id = field.getAttribute('aria-describedby');
    var box = id ? document.getElementById(id) : null;
    var valid = field.validity.valid;
    if (valid) field.removeAttribute('aria-invalid');
    else field.setAttribute('aria-invalid', 'true');
    if (box) {
      box.textContent = valid ? '' : field.validationMessage;
      box.hidden = valid;
    }
    return valid;
  }

  function validateForm(form) {
    var first = null;
    var fields = form.querySelectorAll('input[aria-describedby], select[aria-describedby]');
    for (var i = 0; i < fields.length; i++) {
      if (!showFieldError(fields[i]) && !first) first = fields[i];
    }
    if (first) first.focus();
    return !first;
  }

  function setupForm(form) {
    var params = new URLSearchParams(window.location.search);
    for (var i = 0; i < UTM.length; i++) {
      var input = form.querySelector('input[type=hidden][name="' + UTM[i] + '"]');
      if (input && params.get(UTM[i])) input.value = params.get(UTM[i]);
    }
    var page = form.querySelector('input[type=hidden][name="page_url"]');
    if (page) page.value = window.location.origin + window.location.pathname;
    form.noValidate = true;
    form.addEventListener('input', function (event) {
      var field = event.target;
      if (field instanceof Element && field.getAttribute('aria-invalid')) showFieldError(field);
    });
    form.addEventListener('change', function (event) {
      var field = event.target;
      if (field instanceof Element && field.getAttribute('aria-invalid')) showFieldError(field);
    });
    form.addEventListener('submit', function (event) {
      if (!validateForm(form)) {
        event.preventDefault();
        return;
      }
      if (form.getAttribute('data-registration-send') !== 'fetch' || !window.fetch) return;
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      // no-cors: the endpoint need not answer with CORS headers; the post is sent all the same.
      window.fetch(form.action, { method: 'POST', body: body, mode: 'no-cors' }).then(
        function () { window.location.assign(form.getAttribute('data-registration-thanks')); },
        function () { form.submit(); }
      );
    });
  }

  function start() {
    var rooms = document.querySelectorAll('[data-callbridge-room]');
    for (var i = 0; i < rooms.length; i++) connect(rooms[i]);
    localizeTimes();
    var events = document.querySelectorAll('[data-event]');
    for (var j = 0; j < events.length; j++) trackEvent(events[j]);
    setupMenus();
    setupConsent();
    var forms = document.querySelectorAll('form[data-registration]');
    for (var k = 0; k < forms.length; k++) setupForm(forms[k]);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
