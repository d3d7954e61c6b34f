// The header's search box: "/" or Ctrl-K (Cmd-K) goes to it, the results that HTMX brings as
// you type are gone through with the arrow keys, Escape closes them; "?" lists the shortcuts.
// Without this file the box is a plain form that opens the results page.
(function () {
  "use strict";

  const box = document.getElementById("site-search-q");
  const live = document.getElementById("site-search-live");
  const status = document.getElementById("site-search-status");
  const dialog = document.getElementById("shortcuts-dialog");
  if (!box || !live) return;

  function links() {
    return Array.from(live.querySelectorAll("a.search-live-link"));
  }

  function open() {
    live.hidden = live.innerHTML.trim() === "";
  }

  function close(refocus) {
    live.hidden = true;
    if (refocus) box.focus();
  }

  function typing(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || target.closest("input, textarea, select") !== null);
  }

  // What came in: shown, and its one-line summary read out by screen readers.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target !== live) return;
    open();
    const said = live.querySelector("[data-search-status]");
    if (status) status.textContent = said ? said.textContent.trim() : "";
  });

  box.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" && links().length) {
      event.preventDefault();
      live.hidden = false;  // closed with Escape: the arrow opens the same results again
      links()[0].focus();
    } else if (event.key === "Escape" && !live.hidden) {
      event.preventDefault();
      close(true);
    }
  });

  box.addEventListener("click", open);  // back in the box: its results again

  live.addEventListener("keydown", function (event) {
    const all = links();
    const at = all.indexOf(document.activeElement);
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (at < all.length - 1) all[at + 1].focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (at > 0) all[at - 1].focus();
      else box.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      close(true);
    }
  });

  // A click or a Tab anywhere else closes the results.
  document.addEventListener("focusin", function (event) {
    if (!box.form.contains(event.target)) close(false);
  });
  document.addEventListener("click", function (event) {
    if (!box.form.contains(event.target)) close(false);
  });

  document.addEventListener("keydown", function (event) {
    // Never while typing in another field: "/" and "?" are characters, Ctrl-K may be an
    // editor's own shortcut there.
    if (typing(event.target) && event.target !== box) return;
    if (dialog && dialog.open) return;
    const k = event.key.toLowerCase();
    if (k === "k" && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.target === box) return;
    if (event.key === "/") {
      event.preventDefault();
      box.focus();
      box.select();
    } else if (event.key === "?" && dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      dialog.showModal();
    }
  });
})();
