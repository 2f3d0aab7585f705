// The gate console's service worker: the booth's page loads with no network.
// It keeps the app shell (the console page as last loaded, its CSS, script and htmx) and
// answers from it only when the network fails, and only while the person whose page it is is
// still signed in; data (the trucks, the queue) is the page's business, never cached here.
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

// Every gate's console page kept, dropped: the person whose page it is has signed out.
// The queue of actions they made offline is the page's (localStorage), never dropped here.
async function dropConsolePages() {
  const names = (await caches.keys()).filter((n) => n.startsWith("cuakhau-console-"));
  for (const name of names) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (isConsole(new URL(request.url))) await cache.delete(request);
    }
  }
}

// Who is signed in (the cookie the server keeps for it): an id, "" for no one, or undefined
// where a worker cannot read cookies (then the page checks itself and queues nothing).
async function signedIn() {
  if (!self.cookieStore) return undefined;
  const cookie = await self.cookieStore.get(CONFIG.signed_in_cookie).catch(() => null);
  return cookie ? cookie.value : "";
}

async function consolePage(request) {
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const cached = await caches.match(key);
    const who = cached ? await signedIn() : undefined;
    if (cached && (who === undefined || who === cached.headers.get("X-Console-Operator"))) return cached;
    // Offline and its person signed out: their console is never shown, nor offers their queue.
    if (cached) await dropConsolePages();
    throw error;
  }
  if (response.ok && response.type === "basic" && !response.redirected) {
    const cache = await caches.open(SHELL);
    await cache.put(key, response.clone());
  } else if ((await signedIn()) === "") {
    await dropConsolePages(); // sent to sign in: no one is signed in any more
  }
  return response;
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
