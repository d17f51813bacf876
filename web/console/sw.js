// The console's service worker: keeps the console's own files so that a reload without a network
// still opens the console (with its offline purchase queue) instead of the browser's error page.
// Network first: a reachable server always serves the current files; the copies are used only
// when it cannot be reached. The API is never cached (balances must be live). tests/cli/test_web.sh
// checks that SHELL lists every file of web/console and web/i18n.
const CACHE = 'loyalty-console-v1';
const SHELL = [
  '/console',
  '/console/console.css',
  '/console/chart.min.js',
  '/console/admin.js',
  '/console/api.js',
  '/console/app.js',
  '/console/camera.js',
  '/console/campaigns.js',
  '/console/counter.js',
  '/console/dashboard.js',
  '/console/dom.js',
  '/console/editor.js',
  '/console/feedback.js',
  '/console/i18n.js',
  '/console/money.js',
  '/console/profile.js',
  '/console/queue.js',
  '/console/referrals.js',
  '/console/status.js',
  '/console/i18n/en.json',
  '/console/i18n/ms.json',
  '/console/i18n/hu.json',
  '/console/i18n/bn.json',
];

self.addEventListener('install', (ev) => {
  ev.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// The console's files only: same origin, GET, /console or /console/..., never /api/.
function mine(req) {
  if (req.method !== 'GET') return false;
  const u = new URL(req.url);
  return u.origin === self.location.origin && (u.pathname === '/console' || u.pathname.startsWith('/console/'));
}

self.addEventListener('fetch', (ev) => {
  if (!mine(ev.request)) return;
  const key = new URL(ev.request.url).pathname; // "/console#counter" and "/console" are one page
  ev.respondWith(
    fetch(ev.request)
      .then((res) => {
        if (res.status === 200) {
          const copy = res.clone();
          ev.waitUntil(caches.open(CACHE).then((c) => c.put(key, copy)));
        }
        return res;
      })
      .catch(() => caches.match(key).then((hit) => hit || Response.error())),
  );
});
