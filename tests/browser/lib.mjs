// Shared helpers for the browser tests: one headless Chromium per test file, a fresh context
// (cookies, storage) per test, a screenshot named after every test, and ways to check the
// database behind the console's back (the HTTP API with an owner key, and the `loyalty` CLI).
// run.sh sets the environment: LOY_URL, LOY_BIN, LOY_DB, LOY_API_KEY, LOY_USER, LOY_PASSWORD,
// LOY_SHOTS, LOY_CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const need = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the browser tests through tests/browser/run.sh`);
  return v;
};

export const env = {
  url: need('LOY_URL'),
  bin: need('LOY_BIN'),
  db: need('LOY_DB'),
  apiKey: need('LOY_API_KEY'),
  user: need('LOY_USER'),
  password: need('LOY_PASSWORD'),
  shots: need('LOY_SHOTS'),
  chromium: process.env.LOY_CHROMIUM || '/usr/bin/chromium',
};

// Everything waits longer than Playwright's default under the sanitizer build.
const TIMEOUT = 15000;

const slug = (s) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

// browserTests(import.meta.url) -> btest(name, fn): fn(page, t) runs in a fresh context, logged
// out, on a 1280x800 desktop; a screenshot named FILE--TEST.png is taken whatever the outcome,
// and an uncaught exception in the page fails the test.
export function browserTests(fileUrl) {
  const file = path.basename(new URL(fileUrl).pathname).replace(/\.test\.mjs$/, '');
  let browser;
  before(async () => {
    browser = await chromium.launch({ executablePath: env.chromium, args: ['--no-sandbox'] });
  });
  after(async () => {
    if (browser) await browser.close();
  });
  return (name, fn) =>
    test(name, { timeout: 60000 }, async (t) => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
      const page = await context.newPage();
      page.setDefaultTimeout(TIMEOUT);
      const errors = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      try {
        await fn(page, t);
        assert.deepEqual(errors, [], 'uncaught exceptions in the page');
      } finally {
        mkdirSync(env.shots, { recursive: true });
        await page
          .screenshot({ path: path.join(env.shots, `${file}--${slug(name)}.png`), fullPage: true })
          .catch(() => {});
        await context.close();
      }
    });
}

// The HTTP API with the owner key: {status, body} (body parsed when it is JSON).
export async function api(method, route, body, headers = {}) {
  const h = { Authorization: `Bearer ${env.apiKey}`, ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(env.url + route, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

// The member as the API's counter view (balances, stamp_card, rewards, ...).
export async function member(ref) {
  const r = await api('GET', `/api/v1/members/${encodeURIComponent(ref)}`);
  assert.equal(r.status, 200, `GET member ${ref}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// Members the API finds for q, as a Set of ids (the search the console must agree with).
export async function searchIds(q) {
  const r = await api('GET', `/api/v1/members?q=${encodeURIComponent(q)}&limit=100`);
  assert.equal(r.status, 200, `search ${q}: ${JSON.stringify(r.body)}`);
  const list = Array.isArray(r.body) ? r.body : r.body.members || r.body.results || [];
  return new Set(list.map((m) => Number(m.id ?? m.member?.id)));
}

// Runs `loyalty ARGS --db DB` and returns its standard output (parsed with json: true).
const run = promisify(execFile);
export async function cli(args, { json = false } = {}) {
  const { stdout } = await run(env.bin, [...args, '--db', env.db, ...(json ? ['--json'] : [])], {
    timeout: 30000,
  });
  return json ? JSON.parse(stdout) : stdout;
}

// The first number in a text, thousands separators of any locale removed ("1,928 pts" -> 1928).
export function num(text) {
  const m = String(text).match(/-?\d+(?:[,.\s\u00a0\u202f]\d{3})*/);
  assert.ok(m, `no number in [${text}]`);
  return Number(m[0].replace(/[^\d-]/g, ''));
}

// Every number in a text, separators removed ("70 points by 30 Nov" -> [70, 30]).
export function nums(text) {
  return (String(text).match(/\d+(?:[,.\s\u00a0\u202f]\d{3})*/g) || []).map((m) => Number(m.replace(/\D/g, '')));
}

// Opens the console and logs in as the demo owner; resolves when the counter is ready.
export async function login(page) {
  const res = await page.goto(`${env.url}/console`);
  assert.equal(res.status(), 200, `GET /console answered ${res.status()}`);
  await page.fill('#login-username', env.user);
  await page.fill('#login-password', env.password);
  await page.click('#login-submit');
  await page.locator('#search').waitFor({ state: 'visible' });
}

// Types text into the counter's search box one key at a time, as a person or a USB scanner does.
export async function typeSearch(page, text, delay = 15) {
  const box = page.locator('#search');
  await box.fill('');
  await box.pressSequentially(text, { delay });
}

// Scans a member's card (the token typed fast, then Enter) and waits for the member panel.
export async function openByCard(page, token, name) {
  await typeSearch(page, token, 5);
  await page.keyboard.press('Enter');
  await page.locator('#member').waitFor({ state: 'visible' });
  if (name) await page.locator('#member-name', { hasText: name }).waitFor();
}
