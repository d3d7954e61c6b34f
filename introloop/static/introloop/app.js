// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  function fillTimeZone(root) {
    // Sign-up starts in the browser's own time zone rather than UTC.
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* old browser */ }
    root.querySelectorAll("input[type=hidden][name=time_zone]").forEach(function (input) {
      if (zone && (!input.value || input.value === "UTC")) { input.value = zone; }
    });
  }

  function wireCopyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyWired) { return; }
      button.dataset.copyWired = "1";
      button.hidden = false;
      button.addEventListener("click", function () {
        var target = document.getElementById(button.dataset.copyTarget);
        if (!target || !navigator.clipboard) { return; }
        navigator.clipboard.writeText(target.value || target.textContent.trim()).then(function () {
          var label = button.textContent;
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
        });
      });
    });
  }

  // <form data-confirm="Question?"> asks before submitting something hard to undo.
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  }, true);

  // The contact picker: a ticked search result moves up among the picked contacts, so the
  // next search does not wipe it; a single-choice picker keeps only the latest.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var picker = input.closest && input.closest("[data-picker]");
    if (!picker || !input.name || input.type === "search") { return; }
    var picked = picker.querySelector("[data-picked]");
    var label = input.closest("label");
    if (picker.dataset.multiple !== "1") {
      picked.querySelectorAll("label").forEach(function (old) { if (old !== label) { old.remove(); } });
      if (!input.value) { return; }
    }
    if (input.checked && label && label.parentElement !== picked) {
      picked.appendChild(label);
    } else if (!input.checked && label && picker.dataset.multiple === "1") {
      label.remove();
    }
  });
  // Enter in a picker's search box searches instead of submitting the surrounding form.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key === "Enter" && input.closest && input.closest("[data-picker]") && input.type === "search") {
      event.preventDefault();
      if (window.htmx) { window.htmx.trigger(input, "search"); }
    }
  });
  // A "tick all" box ticks every checkbox of the same name in its form.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.dataset || !box.dataset.checkAll) { return; }
    box.form.querySelectorAll("input[type=checkbox][name='" + box.dataset.checkAll + "']").forEach(function (other) {
      other.checked = box.checked;
    });
  });

  function enhance(root) { fillTimeZone(root); wireCopyButtons(root); }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.target); });
})();
