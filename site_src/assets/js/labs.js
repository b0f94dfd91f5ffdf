/* Thinking in JAX — lab notebooks: fold each solution cell away behind a
 * "Show solution" button. mkdocs-jupyter marks a cell tagged `solution`
 * with the class `celltag_solution`; without JavaScript solutions stay visible. */
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

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".celltag_solution"), fold);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
