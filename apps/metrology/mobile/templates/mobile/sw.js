// The app's service worker (scope /m/): keeps the app shell so that the app opens without a
// connection. Network first, so an online phone always runs the current app; the API is never
// cached or intercepted (values waiting to be sent are kept by the page, in IndexedDB).
const VERSION = "{{ version }}";
const SHELL = {{ shell_json|safe }};
const CACHE = `mobile-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("mobile-shell-") && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  event.respondWith(fetch(request)
    .then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    })
    .catch(() => caches.open(CACHE).then((cache) => cache.match(url.pathname))
      .then((cached) => cached || Response.error())));
});
