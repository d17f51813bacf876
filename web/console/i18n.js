// Translations: loads /console/i18n/<lang>.json and fills the page. Convention (checked by
// tests/cli/test_web.sh): HTML uses data-i18n (text), data-i18n-placeholder and
// data-i18n-aria-label; code calls t with a literal key in single quotes, optionally with
// placeholder values: t(<quote>search.none<quote>, {q}).
export const LANGS = ['en', 'ms', 'hu', 'bn'];
const STORE = 'loyalty.console.lang';

let lang = 'en';
let dict = {};

// The language to start with: the one chosen before, else the staff user's, else the browser's.
export function initialLang(userLocale) {
  const pick = (l) => (l ? LANGS.find((x) => l.toLowerCase().startsWith(x)) : undefined);
  let saved = null;
  try { saved = localStorage.getItem(STORE); } catch { /* storage blocked */ }
  return pick(saved) || pick(userLocale) || (navigator.languages || [navigator.language]).map(pick).find(Boolean) || 'en';
}

export async function setLang(l, remember) {
  if (!LANGS.includes(l)) l = 'en';
  const res = await fetch(`/console/i18n/${l}.json`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`i18n ${l}: ${res.status}`);
  dict = await res.json();
  lang = l;
  if (remember) {
    try { localStorage.setItem(STORE, l); } catch { /* storage blocked */ }
  }
  document.documentElement.lang = l;
  apply(document);
}

export function currentLang() { return lang; }

// The text of `key` with {name} placeholders filled from vars; the key itself if missing.
export function t(key, vars) {
  let s = Object.prototype.hasOwnProperty.call(dict, key) ? dict[key] : key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function apply(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}
