// The unsubscribe page (/u/{token}): which messages the member gets from the shop, per channel
// (GET /api/v1/subscriptions/{token}; opening the page changes nothing). "Unsubscribe from all"
// sends the same RFC 8058 one-click POST /u/{token} (List-Unsubscribe=One-Click, no cookies) that
// a mail provider sends; each channel's switch turns it off or back on (PUT
// /api/v1/subscriptions/{token}). In the member's language unless they chose another here
// (remembered by this browser).
import { answer, api, ApiError } from '/console/api.js';
import { $, currentLang, pickLang, savedLang, t, useLang } from './common.js';

const CHANNELS = ['email', 'sms'];
const st = {
  token: decodeURIComponent(location.pathname.split('/')[2] || ''),
  view: null, // the answer of the API: {member, merchant, consent, channels}
  busy: false,
  done: false, // the member's last action left every channel off
  saved: null, // () => text of the last change, said again after a language switch
  error: null, // () => text of the last failure
};
const path = () => encodeURIComponent(st.token);

function showOnly(id) {
  for (const s of ['loading', 'unsub', 'notfound', 'loadfail']) $(s).hidden = s !== id;
}

function render() {
  const v = st.view;
  const merchant = v.merchant.name;
  document.title = t('customer.unsub.title', { merchant });
  $('shop').textContent = merchant;
  $('unsub-heading').textContent = v.member.first_name
    ? t('customer.unsub.hello', { name: v.member.first_name })
    : t('customer.unsub.heading');
  $('unsub-intro').textContent = t('customer.unsub.intro', { merchant });
  let any = false;
  for (const ch of CHANNELS) {
    const on = !!v.consent[ch];
    // a channel we can reach them on, or one they still get (whatever the address)
    $(`row-${ch}`).hidden = !(on || v.channels.includes(ch));
    any = any || !$(`row-${ch}`).hidden;
    if (!st.busy) $(`ch-${ch}`).checked = on; // while saving, the switch shows the choice made
    $(`ch-${ch}-state`).textContent = on ? t('customer.unsub.state_on') : t('customer.unsub.state_off');
  }
  $('no-channels').hidden = any;
  const allOff = CHANNELS.every((ch) => !v.consent[ch]);
  $('unsub-done').hidden = !(st.done && allOff);
  $('unsub-done').textContent = t('customer.unsub.done', { merchant });
  $('unsub').setAttribute('aria-busy', String(st.busy));
  $('unsub-saved').textContent = st.saved ? st.saved() : '';
  $('unsub-error').hidden = !st.error;
  $('unsub-error').textContent = st.error ? st.error() : '';
}

function failure(err) {
  if (err.status === 429) {
    const minutes = Math.max(1, Math.ceil((err.retryAfter || 60) / 60));
    return () => t('customer.unsub.err_busy', { minutes });
  }
  if (err.status === 0) return () => t('customer.unsub.err_network');
  return () => t('customer.unsub.err_other');
}

// The one-click unsubscribe as a mail provider sends it: a form body, no cookies (RFC 8058).
async function oneClick() {
  let res;
  try {
    res = await fetch(`/u/${path()}`, {
      method: 'POST',
      headers: { Accept: 'application/json' },
      body: new URLSearchParams({ 'List-Unsubscribe': 'One-Click' }),
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'network', e.message);
  }
  return answer(res);
}

// Runs one change (send: () => promise of the new view); then(view) records what it means.
// Nothing is disabled meanwhile (focus stays where it is); an action meanwhile is ignored.
async function change(send, then) {
  if (st.busy) return false;
  st.busy = true;
  st.error = null;
  st.saved = null;
  render();
  let ok = false;
  try {
    st.view = await send();
    then(st.view);
    ok = true;
  } catch (err) {
    if (err.status === 404) {
      st.busy = false;
      document.title = t('customer.unsub.notfound_heading');
      showOnly('notfound');
      return false;
    }
    st.error = failure(err);
  }
  st.busy = false;
  render();
  return ok;
}

async function unsubscribeAll() {
  const ok = await change(oneClick, () => {
    st.done = true;
  });
  if (ok) $('unsub-done').focus();
}

function onSwitch(ch) {
  const want = $(`ch-${ch}`).checked;
  if (st.busy) { // one change at a time: this switch goes back to what is saved
    $(`ch-${ch}`).checked = !want;
    return;
  }
  change(
    () => api('PUT', `/api/v1/subscriptions/${path()}`, { body: { [ch]: want } }),
    (v) => {
      st.done = CHANNELS.every((c) => !v.consent[c]);
      st.saved = () => t('customer.unsub.saved');
    },
  );
}

async function load() {
  showOnly('loading');
  try {
    st.view = await api('GET', `/api/v1/subscriptions/${path()}`);
  } catch (err) {
    if (err.status === 404) {
      document.title = t('customer.unsub.notfound_heading');
      showOnly('notfound');
    } else showOnly('loadfail');
    return;
  }
  const lang = pickLang(savedLang(), st.view.member.locale);
  if (lang !== currentLang()) await useLang(lang, false);
  $('lang').value = currentLang();
  render();
  showOnly('unsub');
}

async function boot() {
  await useLang(pickLang(savedLang(), navigator.language), false);
  $('lang').value = currentLang();
  $('lang').addEventListener('change', async () => {
    await useLang($('lang').value, true);
    if (st.view) render();
    else if (!$('notfound').hidden) document.title = t('customer.unsub.notfound_heading');
  });
  $('retry').addEventListener('click', load);
  $('unsub-all').addEventListener('click', unsubscribeAll);
  for (const ch of CHANNELS) $(`ch-${ch}`).addEventListener('change', () => onSwitch(ch));
  await load();
  document.body.classList.add('ready');
}

boot();
