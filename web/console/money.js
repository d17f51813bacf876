// Money for people: minor units <-> text in the merchant's currency and the console's locale.
import { currentLang } from './i18n.js';

// The usual country of a currency, so that English shows "RM18.50" for ringgit, not "MYR 18.50".
const REGION = { MYR: 'MY', HUF: 'HU', BDT: 'BD', SGD: 'SG', IDR: 'ID', GBP: 'GB', USD: 'US', EUR: 'IE', INR: 'IN', AUD: 'AU' };
let region = '';

export function setCurrency(currency) { region = REGION[currency] || ''; }

// The BCP 47 locale for Intl: the console's language in the merchant's country ("en-MY").
export function intlLocale() {
  const lang = currentLang();
  const tag = region ? `${lang}-${region}` : lang;
  try {
    return Intl.NumberFormat.supportedLocalesOf([tag]).length ? tag : lang;
  } catch {
    return lang;
  }
}

// Digits after the decimal point of an ISO 4217 currency (MYR 2, JPY 0).
export function exponent(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

export function formatMoney(minor, currency) {
  const e = exponent(currency);
  try {
    return new Intl.NumberFormat(intlLocale(), { style: 'currency', currency, currencyDisplay: 'narrowSymbol' }).format(minor / 10 ** e);
  } catch {
    return `${currency} ${(minor / 10 ** e).toFixed(e)}`;
  }
}

export function formatNumber(n) {
  return new Intl.NumberFormat(intlLocale()).format(n);
}

export function formatDate(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium' }).format(d);
}

// "18.50", "18,50", "1 234.5" -> minor units (integer), or null when it is not an amount.
// Exact: works on the digits, never through floating point.
export function parseMoney(text, currency) {
  const e = exponent(currency);
  let s = String(text).trim().replace(/[\s\u00a0\u202f']/g, '');
  if (!s) return null;
  const lastSep = Math.max(s.lastIndexOf('.'), s.lastIndexOf(','));
  let whole = s, frac = '';
  if (lastSep >= 0 && s.length - lastSep - 1 <= e && s.length - lastSep - 1 > 0) {
    whole = s.slice(0, lastSep);
    frac = s.slice(lastSep + 1);
  } else if (lastSep === s.length - 1) {
    whole = s.slice(0, -1);
  }
  whole = whole.replace(/[.,]/g, '');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(frac) || whole.length > 12) return null;
  return Number(whole) * 10 ** e + Number((frac + '0'.repeat(e)).slice(0, e) || 0);
}

// An example amount for hints: 18.50 in the currency's form.
export function exampleAmount(currency) {
  const e = exponent(currency);
  return e ? `18.${'50'.padEnd(e, '0').slice(0, e)}` : '1850';
}
