// Small DOM helpers shared by the console's views and the customer pages.
import { currentLang } from './i18n.js';

// An element with attributes ("class", "text" for textContent, others as attributes) and
// children (nodes or strings; null and undefined are skipped).
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

// A name from the programme in the current language: {"en": ..., "ms": ...} or a string.
export function localName(name, fallback) {
  if (!name) return fallback || '';
  if (typeof name === 'string') return name;
  return name[currentLang()] || name.en || Object.values(name)[0] || fallback || '';
}

// The name of tier `id` among the programme's tier levels, in the current language.
export function tierNameIn(levels, id, fallback) {
  const l = (levels || []).find((x) => x.id === id);
  return localName(l && l.name, fallback || id || '');
}
