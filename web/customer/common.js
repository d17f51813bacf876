// Shared by the customer pages (join, my card): the language (the console's i18n module and
// texts, remembered under its own key so a customer's choice never changes a till's), and a small
// element builder. Every text is a key of web/i18n/*.json (prefix "customer."), none is here.
import { LANGS, setLang, currentLang, t } from '/console/i18n.js';
export { el } from '/console/dom.js';

const STORE = 'loyalty.customer.lang';

export { t, currentLang };

// The first of the candidates that is one of our languages ("bn-BD" -> "bn"), else 'en'.
export function pickLang(...candidates) {
  for (const c of candidates) {
    const l = c ? LANGS.find((x) => String(c).toLowerCase().startsWith(x)) : undefined;
    if (l) return l;
  }
  return 'en';
}

export function savedLang() {
  try {
    return localStorage.getItem(STORE);
  } catch {
    return null; // storage blocked
  }
}

export function browserLangs() {
  return navigator.languages || [navigator.language];
}

// Switches the page to `lang`; remember: keep the choice in this browser.
export async function useLang(lang, remember) {
  await setLang(lang, false);
  if (remember) {
    try {
      localStorage.setItem(STORE, currentLang());
    } catch { /* storage blocked: the choice lasts for this page */ }
  }
}


export const $ = (id) => document.getElementById(id);
