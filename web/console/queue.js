// The offline purchase queue: purchases the counter could not send wait in IndexedDB (database
// "loyalty", store "purchases") with the Idempotency-Key made when the cashier pressed the button,
// and are sent in order, with that key, when the connection returns. An entry leaves the queue
// only once the server has answered 2xx (201, also when it replays a purchase it already has), so a
// reload, a closed tab or a lost answer never records a purchase twice or loses one.
// Entry: {seq (auto), key, body, member: {id, name}, merchant_id, currency, created_at}.
// No CSRF token is stored: api.js sends the current session's token when the entry is sent.
import { api, ApiError } from './api.js';

const DB_NAME = 'loyalty';
const DB_VERSION = 1;
const STORE = 'purchases';
const SEND_TIMEOUT_MS = 15000;

let dbp = null;

function db() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      if (!('indexedDB' in self)) {
        reject(new Error('IndexedDB is not available'));
        return;
      }
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const d = req.result;
        if (!d.objectStoreNames.contains(STORE)) {
          const s = d.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
          s.createIndex('key', 'key', { unique: true });
        }
      };
      req.onsuccess = () => {
        const d = req.result;
        d.onversionchange = () => { d.close(); dbp = null; }; // another tab upgrades: let it
        resolve(d);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
    });
    dbp.catch(() => { dbp = null; });
  }
  return dbp;
}

// Runs fn(store) in one transaction; resolves with what fn's request produced once it committed.
async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    let out;
    const r = fn(t.objectStore(STORE));
    if (r) r.onsuccess = () => { out = r.result; };
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('IndexedDB transaction aborted'));
  });
}

// Every waiting purchase, oldest first.
export function list() {
  return tx('readonly', (s) => s.getAll()).then((a) => a || []);
}

// Adds a purchase at the back of the queue (a key already queued is not added twice).
export async function enqueue(entry) {
  const have = await tx('readonly', (s) => s.index('key').count(entry.key));
  if (have) return;
  await tx('readwrite', (s) => s.add({ ...entry, created_at: entry.created_at || new Date().toISOString() }));
}

function remove(seq) {
  return tx('readwrite', (s) => s.delete(seq));
}

// What an answer (or the lack of one) means for a queued purchase.
export function verdict(err) {
  if (!err) return 'done';
  if (err.name === 'AbortError') return 'retry'; // timed out: the replay will tell
  const s = err.status || 0;
  if (s === 401 || s === 403) return 'login'; // session expired or token stale: keep it
  if (s === 0 || s === 408 || s === 429 || s === 502 || s === 503 || s === 504) return 'retry';
  return 'failed'; // refused by a rule, invalid, or a server error (500): never resent blindly
}

// One POST with a time limit; rejects with ApiError, or AbortError after the limit.
export async function send(body, key, timeoutMs = SEND_TIMEOUT_MS) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    return await api('POST', '/api/v1/purchases', { body, key, signal: ctl.signal });
  } finally {
    clearTimeout(timer);
  }
}

// Sends the waiting purchases of merchantId in order until the queue is empty or one cannot be
// sent now. Hooks: onSent(entry, response), onFailed(entry, ApiError). Resolves to
// {sent, failed, stopped: null | 'retry' | 'login'}. One tab drains at a time (Web Locks, where the
// browser has them; two tabs sending one key would still record it once on the server).
export async function drain(merchantId, hooks = {}) {
  const run = () => drainLocked(merchantId, hooks);
  if (navigator.locks && navigator.locks.request) return navigator.locks.request('loyalty.offline-queue', run);
  return run();
}

async function drainLocked(merchantId, hooks) {
  const out = { sent: 0, failed: 0, stopped: null };
  for (;;) {
    const next = (await list()).find((e) => merchantId == null || e.merchant_id == null || e.merchant_id === merchantId);
    if (!next) return out;
    if (navigator.onLine === false) {
      out.stopped = 'retry';
      return out;
    }
    let res = null;
    let err = null;
    try {
      res = await send(next.body, next.key);
    } catch (e) {
      err = e instanceof ApiError || (e && e.name === 'AbortError') ? e : new ApiError(0, 'network', String(e && e.message));
    }
    const v = verdict(err);
    if (v === 'done') {
      await remove(next.seq);
      out.sent++;
      if (hooks.onSent) hooks.onSent(next, res);
    } else if (v === 'failed') {
      await remove(next.seq);
      out.failed++;
      if (hooks.onFailed) hooks.onFailed(next, err);
    } else {
      out.stopped = v;
      return out;
    }
  }
}
