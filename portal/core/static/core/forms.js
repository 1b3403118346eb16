// Errors a resident can find (issue 14, WCAG 3.3.1): a page re-rendered with errors puts the focus on
// its error summary (or the first invalid field); a refused action's message after a redirect takes
// it too; the browser's own "fill in this field" check is linked to its field like the site's errors.
// A file, not an inline script: the Content-Security-Policy refuses inline scripts.
(function () {
  "use strict";

  function describe(field, id) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    if (ids.indexOf(id) < 0) ids.push(id);
    field.setAttribute("aria-describedby", ids.join(" "));
  }

  function focusErrors() {
    var target = document.getElementById("error-summary") ||
      document.querySelector("form [aria-invalid='true']") ||
      document.getElementById("page-errors");
    if (target) target.focus();
  }

  // A summary link moves the focus to its field, not only the view (a fragment link only scrolls).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    var label = field.labels && field.labels[0];
    (field.closest("fieldset") || label || field).scrollIntoView();
  });

  // The browser's check (forms without novalidate, e.g. the subscription and the appeal): the message
  // it shows in a bubble is also written under the field and linked to it. "invalid" does not bubble,
  // hence the capture.
  document.addEventListener("invalid", function (event) {
    var field = event.target, note;
    if (!field.id || field.type === "radio") return;
    note = document.getElementById(field.id + "_error");
    if (!note) {
      note = document.createElement("p");
      note.id = field.id + "_error";
      note.className = "errorlist";
      field.insertAdjacentElement("afterend", note);
    }
    note.textContent = field.validationMessage;
    field.setAttribute("aria-invalid", "true");
    describe(field, note.id);
  }, true);

  // Once such a field is valid again, its note goes.
  document.addEventListener("input", function (event) {
    var field = event.target, note = field.id && document.getElementById(field.id + "_error");
    if (!note || note.tagName !== "P" || !field.validity || !field.validity.valid) return;
    var ids = field.getAttribute("aria-describedby").split(/\s+/).filter(function (id) { return id && id !== note.id; });
    if (ids.length) field.setAttribute("aria-describedby", ids.join(" "));
    else field.removeAttribute("aria-describedby");
    field.removeAttribute("aria-invalid");
    note.remove();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusErrors);
  else focusErrors();
})();
