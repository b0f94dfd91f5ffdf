/* Thinking in JAX — lab notebooks: fold each solution cell away behind a
 * "Show solution" button. mkdocs-jupyter marks a cell tagged `solution`
 * with the class `celltag_solution`; without JavaScript solutions stay visible.
 * Code boxes that scroll sideways take focus. */
(function () {
  "use strict";

  function fold(cell, index) {
    var id = cell.id || "lab-solution-" + (index + 1);
    cell.id = id;
    cell.hidden = true;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button jax-lab-solution-toggle";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", id);
    button.textContent = "Show solution";
    button.addEventListener("click", function () {
      var open = cell.hidden;
      cell.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
      button.textContent = open ? "Hide solution" : "Show solution";
    });
    cell.parentNode.insertBefore(button, cell);
  }

  /* Code too wide for its box scrolls sideways: such a box takes focus (as
   * Material does for its own code blocks), so a keyboard reader can scroll it. */
  function focusWideCode() {
    Array.prototype.forEach.call(document.querySelectorAll(".jupyter-wrapper .highlight-ipynb"), function (box) {
      if (box.scrollWidth > box.clientWidth) box.tabIndex = 0;
      else box.removeAttribute("tabindex");
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".celltag_solution"), fold);
    focusWideCode();
    window.addEventListener("resize", focusWideCode);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
