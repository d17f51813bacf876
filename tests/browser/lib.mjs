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

// A staff account for role tests: `loyalty user add` (the password on standard input); an
// account left by an earlier run of the same test is kept.
export async function addStaff(username, role, password) {
  const child = execFile(env.bin, ['user', 'add', '--db', env.db, '--username', username, '--name', username, '--role', role]);
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdin.end(`${password}\n`);
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0 && !/exist|taken|already/i.test(stderr)) throw new Error(`user add ${username}: ${stderr}`);
}

// Logs in as username at /console (with hash: opens that screen after the login).
export async function loginAs(page, username, password, hash = '') {
  await page.goto(`${env.url}/console${hash}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', password);
  await page.click('#login-submit');
  await page.locator('#login-form').waitFor({ state: 'hidden' });
}

// ---- accessibility checks shared by the tests of every page ----

// Every visible form control has a name: its <label for>, aria-label or aria-labelledby, or its
// own text (buttons).
export async function assertLabelled(page) {
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll('input, select, textarea, button')]
      .filter((c) => c.offsetParent !== null && c.type !== 'hidden')
      .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label') &&
        !c.getAttribute('aria-labelledby') && !c.textContent.trim())
      .map((c) => c.id || c.outerHTML.slice(0, 80)));
  assert.deepEqual(unlabelled, [], 'controls without a label');
}

// WCAG 2 contrast of every visible text against the background behind it: at least 4.5:1, or
// 3:1 for large text (24 px, or 18.66 px bold). Disabled controls are exempt, as WCAG allows.
export async function assertContrast(page) {
  const bad = await page.evaluate(() => {
    const rgba = (s) => (s.match(/[\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
    const lum = ([r, g, b]) => {
      const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const over = (top, under) => top.slice(0, 3).map((c, i) => c * top[3] + under[i] * (1 - top[3]));
    // the opaque colours that can be behind el: its own and its ancestors' background colours,
    // composed; a gradient gives one candidate per colour stop (null: an image, unknowable)
    const behind = (el) => {
      const layers = [];
      let stops = null;
      for (let e = el; e; e = e.parentElement) {
        const cs = getComputedStyle(e);
        if (cs.backgroundImage !== 'none') {
          if (/url\(/.test(cs.backgroundImage)) return null;
          stops = (cs.backgroundImage.match(/rgba?\([^)]*\)/g) || []).map(rgba);
          break;
        }
        const c = rgba(cs.backgroundColor);
        if (c[3] > 0) layers.push(c);
        if (c[3] >= 1) break;
      }
      const bases = stops && stops.length ? stops.map((c) => over(c, [255, 255, 255])) : [[255, 255, 255]];
      return bases.map((base) => {
        let col = base;
        for (const l of layers.slice().reverse()) col = over(l, col);
        return col;
      });
    };
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || seen.has(el)) continue;
      seen.add(el);
      if (!el.checkVisibility || !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
      if (el.closest('[disabled], [aria-disabled="true"], option, canvas, svg')) continue;
      const cs = getComputedStyle(el);
      const bgs = behind(el);
      if (!bgs) continue;
      const ratio = Math.min(...bgs.map((bg) => {
        const [a, b] = [lum(over(rgba(cs.color), bg)), lum(bg)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
      }));
      const size = parseFloat(cs.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`${el.id || el.className || el.tagName}: "${n.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
    }
    return out;
  });
  assert.deepEqual(bad, [], 'text below the WCAG AA contrast');
}

// Tabbing through `count` stops from the top of the page: each focused element shows a focus
// ring (an outline of 2 px or more, or a box-shadow).
export async function assertFocusVisible(page, count = 12) {
  // the sequential focus starting point: the top of the page
  await page.evaluate(() => {
    const top = document.createElement('span');
    top.tabIndex = -1;
    document.body.prepend(top);
    top.focus();
    top.remove();
  });
  const bad = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body) return null;
      const s = getComputedStyle(e);
      return { id: e.id || e.tagName, ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none' };
    });
    if (f && !f.ring) bad.push(f.id); // (null: the page itself, between the last stop and the first)
  }
  assert.deepEqual(bad, [], 'focused controls without a visible focus ring');
}
