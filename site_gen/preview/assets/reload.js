/*
 * site-gen preview: live reload and the problems overlay.
 *
 * Injected by `site-gen serve` into the pages it serves, never into a build.
 * The server streams Server-Sent Events from /_site-gen/events:
 *   problems  {problems: ["content/x.md:3: message", ...]}  (empty: all fixed)
 *   reload    {}  this page (or a file every page uses) changed
 * The page tells the server which path and version it shows, so a change
 * made while the page was loading (or while the server restarted) still
 * reloads it. EventSource reconnects by itself.
 */
(function () {
  'use strict';

  var script = document.currentScript;
  var version = (script && script.getAttribute('data-version')) || '';
  var query = '?path=' + encodeURIComponent(window.location.pathname) +
    '&version=' + encodeURIComponent(version);
  var host = null;

  function hideProblems() {
    if (host) {
      host.remove();
      host = null;
    }
  }

  // A shadow root keeps the page's CSS out of the overlay and the overlay's out of the page.
  function showProblems(problems) {
    hideProblems();
    host = document.createElement('site-gen-overlay');
    host.id = 'site-gen-overlay';
    var root = host.attachShadow({mode: 'open'});
    var style = document.createElement('style');
    style.textContent =
      ':host{all:initial;position:fixed;inset:0;z-index:2147483647;display:block;' +
      'background:rgba(15,15,20,.78);overflow:auto;font:15px/1.5 system-ui,sans-serif}' +
      '.box{max-width:60rem;margin:4rem auto;padding:1.5rem 2rem;background:#1d1f27;' +
      'color:#f5f5f7;border-top:6px solid #e5484d;border-radius:8px;' +
      'box-shadow:0 10px 40px rgba(0,0,0,.5)}' +
      'h2{margin:0 0 .25rem;font-size:1.2rem;color:#ff8589}' +
      'p{margin:0 0 1rem;color:#c9cad3}' +
      'ul{margin:0;padding:0;list-style:none}' +
      'li{font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;' +
      'white-space:pre-wrap;word-break:break-word;padding:.5rem .75rem;margin:.4rem 0;' +
      'background:#2a2d38;border-radius:4px}' +
      'button{float:right;font:inherit;background:none;color:#c9cad3;border:1px solid #555;' +
      'border-radius:4px;cursor:pointer}';
    var box = document.createElement('div');
    box.className = 'box';
    box.setAttribute('role', 'alert');
    var close = document.createElement('button');
    close.type = 'button';
    close.textContent = 'Hide';
    close.addEventListener('click', hideProblems);
    var title = document.createElement('h2');
    title.textContent = problems.length === 1
      ? 'site-gen: 1 problem' : 'site-gen: ' + problems.length + ' problems';
    var hint = document.createElement('p');
    hint.textContent = 'Fix the file and save: this page updates by itself. ' +
      'It shows the last version that built.';
    var list = document.createElement('ul');
    problems.forEach(function (text) {
      var item = document.createElement('li');
      item.textContent = text;  // never HTML: messages quote the author's text
      list.appendChild(item);
    });
    box.append(close, title, hint, list);
    root.append(style, box);
    (document.body || document.documentElement).appendChild(host);
  }

  var events = new EventSource('/_site-gen/events' + query);
  events.addEventListener('problems', function (event) {
    var problems = JSON.parse(event.data).problems || [];
    if (problems.length) showProblems(problems); else hideProblems();
  });
  events.addEventListener('reload', function () {
    events.close();
    window.location.reload();
  });
})();
