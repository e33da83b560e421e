/* Small progressive enhancements; every page works without them. */
(function () {
  "use strict";
  // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }
  // Links in the error summary focus the field itself (not just scroll to it).
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest(".error-summary a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      ev.preventDefault();
      var details = field.closest("details");
      if (details) { details.open = true; }
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
  // A link to a closed disclosure (the case page's "next step" button to its action form) opens it
  // and moves focus into it; without JavaScript the link still scrolls to the form's summary.
  document.addEventListener("click", function (ev) {
    var link = ev.target.closest && ev.target.closest("a[data-open-details]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target || target.tagName !== "DETAILS") { return; }
    ev.preventDefault();
    target.open = true;
    var field = target.querySelector("select, textarea, input:not([type=hidden]), button");
    target.scrollIntoView({ block: "start" });
    (field || target.querySelector("summary")).focus({ preventScroll: true });
  });
  // Choosing another province empties the subdistrict list until a district is chosen again.
  document.addEventListener("change", function (ev) {
    if (!ev.target.matches || !ev.target.matches("select[name$='province_code']")) { return; }
    var prefix = ev.target.name.slice(0, -"province_code".length);
    var sub = document.querySelector("select[name='" + prefix + "subdistrict_code']");
    if (sub) { while (sub.options.length > 1) { sub.remove(1); } sub.selectedIndex = 0; }
  });
})();
