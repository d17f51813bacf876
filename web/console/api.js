// The HTTP API as the console uses it: JSON in and out, the session cookie, the CSRF token on
// writes, an Idempotency-Key on creating POSTs, and errors as ApiError.
let csrf = '';

export function setCsrf(token) { csrf = token || ''; }

export class ApiError extends Error {
  // status 0: the server could not be reached
  constructor(status, code, message, field) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field || '';
  }
}

// A random UUID; crypto.randomUUID exists only in secure contexts (HTTPS, localhost).
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Calls the API; resolves to the JSON body, rejects with ApiError.
// opts: {body, key (Idempotency-Key), signal}
export async function api(method, path, opts = {}) {
  const headers = { Accept: 'application/json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: opts.signal,
    });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  return answer(res);
}

// A fetch Response as the API means it: resolves to the JSON body of a 2xx, rejects with an
// ApiError carrying the error body's code, message and field (and Retry-After) otherwise.
export async function answer(res) {
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) {
    const e = (data && data.error) || {};
    const err = new ApiError(res.status, e.code || 'error', e.message || res.statusText, e.field);
    err.retryAfter = Number(res.headers.get('Retry-After')) || 0;
    throw err;
  }
  return data;
}
