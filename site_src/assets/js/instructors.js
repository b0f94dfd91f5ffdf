/* Thinking in JAX — the instructors page, when the build did not know the
 * site's public address (no --site-url): its iframe snippets then say
 * https://YOUR-SITE/ (this script's data-placeholder), with a note. Put in
 * the address this page was loaded from — the site's root is three folders
 * above this script — so the copy buttons copy snippets ready to paste.
 * From file:// there is no address an LMS could reach: the note stays.
 * (sitebuild/instructors.py writes the snippets and this script's tag.) */
(function () {
  "use strict";

  var script = document.currentScript;
  var placeholder = script.getAttribute("data-placeholder");
  var root = new URL("../../../", script.src).href;

  function replaceIn(element) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeValue.indexOf(placeholder) !== -1) node.nodeValue = node.nodeValue.split(placeholder).join(root);
    }
  }

  function start() {
    if (!/^https?:$/.test(window.location.protocol)) return;
    Array.prototype.forEach.call(document.querySelectorAll(".md-content pre code"), replaceIn);
    var note = document.querySelector("[data-tij-site-url-note]");
    if (note) note.textContent = "The snippets below use this site's address, " + root + ".";
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
