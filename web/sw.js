// Service worker of the browser build: the site's files (bundle, ORT runtime, tiny model; the list is written
// in at build time) are cached on install, so the page works offline once loaded. Online, the network answers
// first (a new build is picked up); offline, or when the server fails, the cached copy does.
const FILES = self.__HOURLLAVA_FILES__;
const CACHE = `hourllava-${self.__HOURLLAVA_BUILD__}`;

self.addEventListener("install", (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("hourllava-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET" || new URL(req.url).origin !== location.origin) return;
  e.respondWith(
    fetch(req)
      .then((res) => (res.ok ? res : caches.match(req, { ignoreSearch: true }).then((hit) => hit ?? res)))
      .catch(() => caches.match(req, { ignoreSearch: true }).then((hit) => hit ?? Response.error())),
  );
});
