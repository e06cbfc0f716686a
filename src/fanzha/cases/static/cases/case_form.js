// The case form: Enter in the victim search searches (never saves the case);
// Enter in any other one-line field saves, as a form normally does.
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.isComposing) return;
    var el = e.target;
    var form = el && el.closest && el.closest("form[data-case-form]");
    if (!form || el.tagName !== "INPUT") return;
    e.preventDefault();
    if (el.id === "victim_q") {
      if (window.htmx) window.htmx.trigger(el, "search");
      return;
    }
    var save = form.querySelector("button[data-save]");
    if (save) form.requestSubmit(save);
  });
})();
