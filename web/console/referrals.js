// The member profile's referrals box (profile.js calls renderReferrals with the member view):
// the member's referral code and link, and the members they referred with when they joined, what
// they spent and where their referral stands (docs/referrals.md). Texts: profile.referrals.*.
import { el } from './dom.js';
import { t } from './i18n.js';
import { formatDate, formatMoney, formatNumber } from './money.js';

const $ = (id) => document.getElementById(id);
const REASONS = ['self_referral', 'already_member', 'velocity', 'ring', 'refunded', 'erased'];

// Where a referral stands, in words: "bonuses paid", "held for the owner (too many in a day)".
function statusText(status, reason) {
  if (!status) return t('profile.referrals.status.none');
  const why = REASONS.includes(reason) ? t(`profile.referrals.reason.${reason}`) : reason || '';
  return t(`profile.referrals.status.${status}`, { reason: why });
}

// Fills the box from GET /api/v1/members/{id}: member.referral_code, member.referral_url and
// referrals: {count, awarded, referred: [{id, name, joined_at, status, reason, revenue}]}.
export function renderReferrals(view) {
  const box = $('profile-referrals');
  if (!box || !view) return;
  const m = view.member || {};
  const r = view.referrals || { count: 0, awarded: 0, referred: [] };
  const code = $('profile-referrals-code');
  code.hidden = !m.referral_code;
  code.textContent = m.referral_code
    ? t('profile.referrals.code', { code: m.referral_code, url: new URL(m.referral_url, location.origin).href })
    : '';
  $('profile-referrals-summary').textContent = t('profile.referrals.summary', {
    n: formatNumber(r.count || 0),
    awarded: formatNumber(r.awarded || 0),
  });
  const list = r.referred || [];
  $('profile-referrals-list').replaceChildren(...list.map((x) => el('li', { 'data-member-id': String(x.id), 'data-status': x.status || '' },
    el('a', { href: `#member/${x.id}`, text: x.name || `#${x.id}` }),
    el('span', { class: 'hint', text: t('profile.referrals.row', { date: formatDate(x.joined_at), amount: formatMoney(x.revenue || 0, view.currency || 'MYR') }) }),
    el('span', { class: 'kind', text: statusText(x.status, x.reason) }))));
  $('profile-referrals-empty').hidden = list.length > 0;
}
