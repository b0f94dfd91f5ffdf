/* Thinking in JAX — the search index loads when a reader goes to search.
 *
 * Material for MkDocs requests the whole book's search index
 * (search/search_index.json: about 140 KB gzipped, more than any other file a
 * chapter loads) on every page, as soon as it has loaded. This script holds
 * that one request until the reader shows they want to search: the pointer on
 * the search box or its header button, focus in the box (Material's keyboard
 * shortcuts put it there), or the search opened. Material shows its
 * "Initializing search" meanwhile. The request and what Material does with it
 * are unchanged; the offline copy (file://) loads its index as a script and is
 * not affected. Material requests the index while its bundle runs, so this
 * script is listed in mkdocs.yml as a polyfill: Material puts those in the
 * page's head, before its bundle.
 */
(function () {
  "use strict";

  var INDEX = /\/search\/search_index\.json(?:[?#].*)?$/;
  var SEARCH = "form[name='search'], label[for='__search'], #__search"; // what a reader touches to search
  var INTENT = ["pointerover", "focusin", "click", "change"];
  var held = []; // requests for the index, waiting for the reader
  var wanted = false;
  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;

  XMLHttpRequest.prototype.open = function (method, url) {
    this.tijSearchIndex = INDEX.test(String(url));
    return open.apply(this, arguments);
  };

  XMLHttpRequest.prototype.send = function () {
    if (wanted || !this.tijSearchIndex) return send.apply(this, arguments);
    var request = this, args = arguments;
    held.push(function () { send.apply(request, args); });
  };

  function release() {
    if (wanted) return;
    wanted = true;
    INTENT.forEach(function (type) { document.removeEventListener(type, onIntent, true); });
    held.splice(0).forEach(function (go) { go(); });
  }

  /** The search box, its header button or the search toggle touched, focused or changed. */
  function onIntent(event) {
    var target = event.target;
    if (target && target.closest && target.closest(SEARCH)) release();
  }

  INTENT.forEach(function (type) { document.addEventListener(type, onIntent, true); });
})();
