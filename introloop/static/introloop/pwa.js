// The installable app: registers the service worker (/sw.js, which keeps only public files and
// the offline page) and, on logging out, removes it and empties what it kept.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  const workerUrl = script.dataset.serviceWorker;
  navigator.serviceWorker.register(workerUrl, { scope: "/" }).catch(() => {
    // No worker (a private window, an old browser): the app works as a plain website.
  });

  // The next page registers the worker afresh, which fetches the public files again.
  function forgetEverything() {
    const workers = navigator.serviceWorker.getRegistrations()
      .then((all) => Promise.all(all.map((registration) => registration.unregister())));
    const stored = "caches" in window
      ? caches.keys().then((names) => Promise.all(names.map((name) => caches.delete(name))))
      : Promise.resolve();
    return Promise.all([workers, stored]);
  }

  // Log out only once the caches are empty, or after a second whatever happens.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-logout")) return;
    if (form.dataset.cleared) return;
    event.preventDefault();
    const logOut = () => {
      form.dataset.cleared = "1";
      form.submit();
    };
    const timeout = new Promise((resolve) => setTimeout(resolve, 1000));
    Promise.race([forgetEverything(), timeout]).then(logOut, logOut);
  });
})();
