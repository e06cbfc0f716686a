/* Small page behaviours declared in the HTML, so no page needs inline script
   (the Content-Security-Policy allows scripts from this site's files only).

   data-autosubmit            on a select/radio/checkbox: submit its form when it changes
   data-clear="a b"           with data-autosubmit: empty these fields of the form first
   data-confirm="text"        on a form: ask before submitting
   data-set-target="#id"      on a button: put data-set-value into that field
   data-set-value="v"
*/
(function () {
  "use strict";
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (!el.matches || !el.matches("[data-autosubmit]") || !el.form) return;
    (el.getAttribute("data-clear") || "").split(/\s+/).forEach(function (name) {
      if (name && el.form.elements[name]) el.form.elements[name].value = "";
    });
    if (el.form.requestSubmit) el.form.requestSubmit(); else el.form.submit();
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) ev.preventDefault();
  }, true);
  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest ? ev.target.closest("[data-set-target]") : null;
    if (!btn) return;
    var field = document.querySelector(btn.getAttribute("data-set-target"));
    if (field) {
      field.value = btn.getAttribute("data-set-value") || "";
      field.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });
})();
