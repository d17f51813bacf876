// The status line (#status, a live region): one plain sentence about what just happened.
import { t } from './i18n.js';

export function say(text, kind = 'info') {
  const el = document.getElementById('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

// A sentence for an ApiError (or any error), in the console's language.
export function describe(err) {
  switch (err && err.status) {
    case 0: return navigator.onLine === false ? t('status.offline') : t('status.network');
    case 401: return t('login.expired');
    case 403: return t('error.forbidden');
    case 404: return t('error.not_found');
    case 409: return t('error.conflict', { message: err.message });
    case 422: return t('error.refused', { message: err.message });
    case 429: return t('login.throttled', { minutes: Math.max(1, Math.ceil((err.retryAfter || 60) / 60)) });
    case 503: return t('error.busy');
    default:
      if (err && err.status === 400) return t('error.invalid', { message: err.message });
      return t('error.generic', { message: (err && err.message) || '' });
  }
}
