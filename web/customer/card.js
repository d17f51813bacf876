// "My card" (/c/{token}): GET /api/v1/cards/{token} drawn for the card holder: the QR code to
// show at the counter, points, tier and progress, pending and expiring points, the stamp card,
// rewards (ready now, or what is missing), and what their purchases gave to the cause. In the
// member's language unless they chose another here (remembered by this browser). Their referral
// link (/r/{code}) to share with friends: the phone's share sheet, else copied.
import { api } from '/console/api.js';
import { formatDate, formatMoney, formatNumber, setCurrency } from '/console/money.js';
import { $, currentLang, el, pickLang, savedLang, t, useLang } from './common.js';

const st = {
  token: decodeURIComponent(location.pathname.split('/')[2] || ''),
  card: null,
  welcome: location.hash === '#welcome',
};

const money = (minor) => formatMoney(minor, st.card.currency);

function showOnly(id) {
  for (const s of ['loading', 'card', 'notfound', 'loadfail']) $(s).hidden = s !== id;
}

// What the card says of a reward, from the API's why_not_code (the order the server checks in).
function rewardState(r, b) {
  if (r.available) return { ready: true, text: t('customer.card.reward_ready') };
  switch (r.why_not_code) {
    case 'tier': return { text: t('customer.card.reward_tier') };
    case 'out_of_stock': return { text: t('customer.card.reward_stock') };
    case 'points': return { text: t('customer.card.reward_need_points', { n: formatNumber(r.cost - Math.max(0, b.points || 0)) }) };
    case 'stamps': return { text: t('customer.card.reward_need_stamps', { n: formatNumber(r.cost - (b.stamps || 0)) }) };
    default: break;
  }
  return { text: t('customer.card.reward_not_now') };
}

function render() {
  const c = st.card;
  const m = c.member;
  const b = c.balances || {};
  setCurrency(c.currency);
  document.title = t('customer.card.title', { merchant: c.merchant.name });
  $('shop').textContent = c.merchant.name;
  $('card-shop').textContent = c.merchant.name;
  $('card-name').textContent = m.name;
  $('welcome').hidden = !st.welcome;
  $('welcome').textContent = st.welcome ? t('customer.card.welcome', { name: m.name }) : '';

  const qr = $('card-qr');
  if (qr.getAttribute('src') !== c.qr_svg) qr.src = c.qr_svg;
  qr.alt = t('customer.card.qr_alt');
  $('card-token').textContent = m.card_token.replace(/(.{4})(?=.)/g, '$1 ');

  // balances
  $('points').textContent = formatNumber(b.points || 0);
  $('points').dataset.value = String(b.points || 0);
  $('pending').textContent = formatNumber(b.pending || 0);
  $('pending').dataset.value = String(b.pending || 0);
  const pl = $('pending-list');
  pl.replaceChildren();
  for (const p of c.pending || [])
    pl.append(el('li', { text: t('customer.card.pending_item', { n: formatNumber(p.points), date: formatDate(p.available_at) }) }));
  const ex = c.expiring || {};
  $('expiring').textContent = ex.points > 0
    ? t('customer.card.expiring_some', { n: formatNumber(ex.points), date: formatDate(ex.first_at) })
    : t('customer.card.expiring_none', { days: formatNumber(ex.days || 30) });
  $('expiring').dataset.value = String(ex.points || 0);

  // tier and progress
  const tier = c.tier;
  $('tier-box').hidden = !tier;
  $('card-tier').hidden = !tier;
  if (tier) {
    $('card-tier').textContent = tier.name || tier.id;
    $('tier-name').textContent = tier.name || tier.id;
    const next = tier.next;
    const bar = $('tier-bar');
    bar.hidden = !next;
    if (next) {
      const name = next.name || next.id;
      bar.max = next.threshold || 1;
      bar.value = Math.min(tier.qualifying || 0, bar.max);
      bar.setAttribute('aria-label', t('customer.card.tier_progress', { tier: name }));
      $('tier-progress').textContent = tier.basis === 'spend'
        ? t('customer.card.next_spend', { amount: money(next.remaining), tier: name })
        : t('customer.card.next_points', { n: formatNumber(next.remaining), tier: name });
    } else $('tier-progress').textContent = t('customer.card.top_tier');
  }

  // the stamp card
  const card = c.stamp_card;
  $('stamps-box').hidden = !card;
  if (card) {
    const sc = $('stamp-card');
    sc.replaceChildren();
    for (let i = 0; i < card.card_size; i++) sc.append(el('span', { class: i < card.on_card ? 'stamp filled' : 'stamp' }));
    sc.setAttribute('aria-label', t('customer.card.stamps_label', { n: formatNumber(card.on_card), size: formatNumber(card.card_size) }));
    sc.dataset.onCard = String(card.on_card);
    $('stamp-extra').textContent = card.full_cards > 0
      ? t('customer.card.stamps_full', { n: formatNumber(card.full_cards) })
      : t('customer.card.stamps_to_go', { n: formatNumber(card.card_size - card.on_card) });
  }

  // rewards
  const ul = $('rewards');
  ul.replaceChildren();
  if (!(c.rewards || []).length) ul.append(el('li', { class: 'hint', text: t('customer.card.rewards_none') }));
  for (const r of c.rewards || []) {
    const s = rewardState(r, b);
    const cost = r.cost_in === 'stamps'
      ? t('customer.card.reward_stamps', { n: formatNumber(r.cost) })
      : t('customer.card.reward_points', { n: formatNumber(r.cost) });
    ul.append(el('li', { class: s.ready ? 'reward ready' : 'reward', 'data-reward': r.id },
      el('span', { class: 'reward-name', text: r.name || r.id }),
      el('span', { class: 'reward-cost', text: cost }),
      el('span', { class: 'reward-state', text: s.text })));
  }

  // giving
  const g = c.giving;
  $('giving-box').hidden = !g;
  if (g) $('giving').textContent = t('customer.card.giving_text', { amount: money(g.total || 0), cause: g.cause });

  // the link they share
  const ref = c.referral;
  $('invite-box').hidden = !ref;
  if (ref) {
    const url = new URL(ref.url, location.origin).href;
    $('invite-link').href = url;
    $('invite-link').textContent = url;
    $('invite-code').textContent = t('customer.card.invite_code', { code: ref.code });
  }

  $('since').textContent = m.joined_at ? t('customer.card.since', { date: formatDate(m.joined_at) }) : '';
}

// Shares the referral link with the phone's share sheet, or copies it where there is none.
async function shareLink() {
  const url = $('invite-link').href;
  try {
    if (navigator.share) {
      await navigator.share({ title: t('customer.card.invite'), url });
      return;
    }
    await navigator.clipboard.writeText(url);
    $('invite-done').textContent = t('customer.card.invite_copied');
    $('invite-done').hidden = false;
  } catch { /* cancelled, or no clipboard: the link is on the page to copy by hand */ }
}

// The card from the API, programme names (tiers, rewards) in lang ('': the member's language).
function fetchCard(lang) {
  return api('GET', `/api/v1/cards/${encodeURIComponent(st.token)}${lang ? `?lang=${encodeURIComponent(lang)}` : ''}`);
}

// Loads the card; quiet: a refresh of a card already shown (no loading line, no error page),
// with the names in the page's language.
async function load(quiet) {
  if (!quiet) showOnly('loading');
  try {
    st.card = await fetchCard(quiet ? currentLang() : '');
    if (!quiet) {
      const lang = pickLang(savedLang(), st.card.member.locale);
      if (lang !== currentLang()) await useLang(lang, false);
      $('lang').value = currentLang();
      if (currentLang() !== st.card.member.locale) st.card = await fetchCard(currentLang());
    }
  } catch (err) {
    if (err.status === 404) {
      st.card = null;
      document.title = t('customer.notfound.heading');
      showOnly('notfound');
    } else if (!quiet) showOnly('loadfail');
    return;
  }
  render();
  showOnly('card');
}

async function boot() {
  await useLang(pickLang(savedLang(), navigator.language), false);
  $('lang').value = currentLang();
  $('lang').addEventListener('change', async () => {
    await useLang($('lang').value, true);
    if (st.card) {
      render();
      await load(true); // the programme's names in the new language
    }
    else if (!$('notfound').hidden) document.title = t('customer.notfound.heading');
  });
  $('retry').addEventListener('click', () => load(false));
  $('invite-share').addEventListener('click', shareLink);
  // back from another app or the home screen: the balances may have changed at the counter
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && st.card) load(true);
  });
  await load(false);
  if (st.welcome) history.replaceState(null, '', location.pathname);
  document.body.classList.add('ready');
}

boot();
