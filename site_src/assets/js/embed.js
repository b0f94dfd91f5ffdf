/* Thinking in JAX — embed pages (site_src/theme/embed.html) in a frame.
 *
 * Tells the parent frame how tall the page is, whenever that changes, as
 * {subject: "lti.frameResize", height} — the message Canvas (and other LTI
 * hosts) honour from any iframe to size it to its content, so the reader
 * never sees a second scroll bar. Needs nothing from the parent: it works in
 * a sandboxed iframe (allow-scripts) too, and does nothing in a top window.
 */
(function () {
  "use strict";

  if (window.parent === window) return;
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
