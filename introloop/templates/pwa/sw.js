// Introloop's service worker. It keeps the public files (styles, scripts, icons) and the
// offline page, and nothing else: pages and API answers always come from the network, and no
// response is ever stored at run time, so nothing private is kept on the device.
const CACHE = "{{ cache_name }}";
const OFFLINE_URL = {{ offline_url|safe }};
const PRECACHE = {{ precache|safe }};
const PRECACHED = new Set(PRECACHE.map((url) => new URL(url, self.location.origin).href));

self.addEventListener("install", (event) => {
  // Without cookies: these files are the same for everyone.
  const requests = PRECACHE.map((url) => new Request(url, { credentials: "omit" }));
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(requests)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

function offlinePage() {
  return caches.match(OFFLINE_URL).then((page) => page || new Response(
    "<!doctype html><title>Offline</title><h1>You are offline</h1>",
    { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } }
  ));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    // Always the network; the offline page only when there is none.
    event.respondWith(fetch(request).catch(offlinePage));
    return;
  }
  if (PRECACHED.has(request.url)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
