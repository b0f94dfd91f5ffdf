/* Thinking in JAX — embed pages (site_src/theme/embed.html) in a frame.
 *
 * Tells the parent frame how tall the page is, whenever that changes, as
 * {subject: "lti.frameResize", height} — the message Canvas (and other LTI
 * hosts) honour from any iframe to size it to its content, so the reader
 * never sees a second scroll bar. Needs nothing from the parent: it works in
 * a sandboxed iframe (allow-scripts) too, and does nothing in a top window.
 *
 * "Open the full course" opens a new tab; in a frame whose sandbox forbids
 * new windows (no allow-popups) it opens the course in the frame instead of
 * doing nothing.
 */
(function () {
  "use strict";

  if (window.parent === window) return;

  var full = document.querySelector(".tij-embed__full-link");
  if (full) full.addEventListener("click", function (event) {
    event.preventDefault();
    var opened = null;
    try { opened = window.open(full.href, "_blank"); } catch (e) { opened = null; }
    if (opened) opened.opener = null;
    else window.location.assign(full.href);
  });

  var content = document.querySelector(".md-container") || document.body;
  var last = -1;

  function post() {
    var height = Math.ceil(content.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    try {
      window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
    } catch (e) { /* a parent that refuses messages: nothing to size */ }
  }

  if (window.ResizeObserver) new ResizeObserver(post).observe(content);
  window.addEventListener("load", post);
  post();
})();
