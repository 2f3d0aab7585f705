// The gate console's service worker: the booth's page loads with no network.
// It keeps the app shell (the console page as last loaded, its CSS, script and htmx) and
// answers from it only when the network fails; data (the trucks, the queue) is the page's
// business, never cached here.
"use strict";
const CONFIG = {{ config_json|safe }};
const SHELL = CONFIG.shell_cache;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell_files)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("cuakhau-console-") && n !== SHELL).map((n) => caches.delete(n))
      ))
      .then(() => self.clients.claim())
  );
});

const isConsole = (url) => /^\/gate\/[^/]+\/console\/$/.test(url.pathname);

async function consolePage(request) {
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  try {
    const response = await fetch(request);
    // Only the page itself, never a redirect to the sign-in page or an error.
    if (response.ok && !response.redirected) {
      const cache = await caches.open(SHELL);
      await cache.put(key, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(key);
    if (cached) return cached;
    throw error;
  }
}

async function refresh(request) {
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

// The copy kept answers at once; a fresh one replaces it for next time (file names without
// a content hash keep their name when their content changes).
function shellFile(event) {
  return caches.match(event.request, { ignoreVary: true }).then((cached) => {
    if (!cached) return refresh(event.request);
    event.waitUntil(refresh(event.request).catch(() => null));
    return cached;
  });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && isConsole(url)) {
    event.respondWith(consolePage(request));
  } else if (url.pathname.startsWith(CONFIG.static_url)) {
    event.respondWith(shellFile(event));
  }
});
