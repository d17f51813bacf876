// The join page (/join/{location}): the customer's name, phone or email, optional birthday (day
// and month), language and marketing consents (each unticked until they tick it); POST
// /api/v1/join/{location} with an Idempotency-Key kept for retries of the same submission; on
// success, their card page. Reached through a member's referral link (/r/{code} ->
// /join/{location}?ref=CODE), it says who invited them and sends the code with the form.
import { api, uuid } from '/console/api.js';
import { formatNumber } from '/console/money.js';
import { $, browserLangs, currentLang, el, pickLang, savedLang, t, useLang } from './common.js';

const FIELDS = ['name', 'phone', 'email', 'birthday', 'locale', 'consent'];
const st = {
  location: decodeURIComponent(location.pathname.split('/')[2] || ''),
  ref: new URLSearchParams(location.search).get('ref') || '', // a referral code, kept when valid
  info: null, // GET /api/v1/join/{location}
  attempt: null, // {sig, key}: the submission being sent, its key reused while it is unchanged
  busy: false,
};

/* ---- the page ---- */

function renderShop() {
  const { location: loc, merchant } = st.info;
  $('shop').textContent = merchant.name;
  $('join-where').textContent = t('customer.join.where', { merchant: merchant.name, location: loc.name });
  document.title = t('customer.join.title', { merchant: merchant.name });
  const who = st.info.referrer;
  $('join-invited').hidden = !who;
  $('join-invited').textContent = who ? t('customer.join.invited', { name: who.first_name }) : '';
}

// Day 1..31 and the twelve months, in the page's language; the choice survives a language switch.
function renderBirthday() {
  const day = $('f-bday-day'), month = $('f-bday-month');
  const d = day.value, m = month.value;
  day.replaceChildren(el('option', { value: '', text: t('customer.join.not_given') }));
  for (let i = 1; i <= 31; i++) day.append(el('option', { value: String(i), text: formatNumber(i) }));
  month.replaceChildren(el('option', { value: '', text: t('customer.join.not_given') }));
  const names = new Intl.DateTimeFormat(currentLang(), { month: 'long', timeZone: 'UTC' });
  for (let i = 1; i <= 12; i++)
    month.append(el('option', { value: String(i), text: names.format(new Date(Date.UTC(2000, i - 1, 1))) }));
  day.value = d;
  month.value = m;
}

async function switchLang(lang, remember) {
  await useLang(lang, remember);
  $('f-locale').value = currentLang();
  renderBirthday();
  if (st.info) renderShop();
  // an error already shown is said again in the new language
  for (const e of [...FIELDS.map((f) => $(`err-${f}`)), $('join-error')]) if (!e.hidden && e.message) e.textContent = e.message();
}

/* ---- errors next to their field ---- */

const INPUT = {
  name: 'f-name', phone: 'f-phone', email: 'f-email', birthday: 'f-bday-day', locale: 'f-locale', consent: 'f-consent-email',
};

function clearErrors() {
  for (const f of FIELDS) {
    const e = $(`err-${f}`);
    e.hidden = true;
    e.textContent = '';
    e.message = null;
    $(INPUT[f]).removeAttribute('aria-invalid');
  }
  const g = $('join-error');
  g.hidden = true;
  g.textContent = '';
  g.message = null;
  g.removeAttribute('title');
}

// Shows message() (a function, so that a language switch can say it again) in node.
function setText(node, message) {
  node.message = message;
  node.textContent = message();
  node.hidden = false;
}

function fieldError(field, message) {
  setText($(`err-${field}`), message);
  $(INPUT[field]).setAttribute('aria-invalid', 'true');
  if (field === 'birthday') $('f-bday-month').setAttribute('aria-invalid', 'true');
}

function focusFirstError() {
  const f = FIELDS.find((x) => !$(`err-${x}`).hidden);
  if (f) $(INPUT[f]).focus();
}

// The API's field ("consent.email", "phone", ...) -> the field of this form, or '' when none.
function formField(apiField) {
  const f = String(apiField || '').split('.')[0];
  return FIELDS.includes(f) ? f : '';
}

const MESSAGE = {
  name: () => t('customer.join.err_name'),
  phone: () => t('customer.join.err_phone'),
  email: () => t('customer.join.err_email'),
  birthday: () => t('customer.join.err_birthday'),
  locale: () => t('customer.join.err_locale'),
  consent: () => t('customer.join.err_consent'),
};

function showApiError(err) {
  const field = formField(err.field);
  if (err.status === 404) {
    showOnly('nolocation');
    return;
  }
  const minutes = Math.max(1, Math.ceil((err.retryAfter || 60) / 60));
  if (err.field === 'referral_code' && st.info) { // the invitation stopped working: join without it
    st.ref = '';
    st.info.referrer = null;
    renderShop();
  }
  if (err.status === 409 && (field === 'phone' || field === 'email')) fieldError(field, () => t('customer.join.err_taken'));
  else if (err.status === 400 && field) fieldError(field, MESSAGE[field]);
  else if (err.status === 429) setText($('join-error'), () => t('customer.join.err_busy', { minutes }));
  else if (err.status === 0) setText($('join-error'), () => t('customer.join.err_network'));
  else setText($('join-error'), () => t('customer.join.err_other'));
  if (err.message) $('join-error').title = err.message; // the server's words, for whoever helps
  focusFirstError();
}

/* ---- submitting ---- */

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const two = (n) => String(n).padStart(2, '0');

// The request body from the form, or null after marking what is missing.
function readForm() {
  const body = { name: $('f-name').value.trim(), locale: $('f-locale').value };
  const phone = $('f-phone').value.trim(), email = $('f-email').value.trim();
  if (phone) body.phone = phone;
  if (email) body.email = email;
  const d = Number($('f-bday-day').value), m = Number($('f-bday-month').value);
  if (d && m) body.birthday = `${two(m)}-${two(d)}`;
  body.consent = { email: $('f-consent-email').checked, sms: $('f-consent-sms').checked };
  if (st.info && st.info.referrer && st.ref) body.referral_code = st.ref;

  if (!body.name) fieldError('name', MESSAGE.name);
  if (!phone && !email) fieldError('phone', () => t('customer.join.err_contact'));
  if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) fieldError('email', MESSAGE.email);
  if (phone && !/^\+?[\d\s().-]{6,}$/.test(phone)) fieldError('phone', MESSAGE.phone);
  if (!d !== !m || (d && m && d > DAYS_IN_MONTH[m - 1])) fieldError('birthday', MESSAGE.birthday);
  return FIELDS.some((f) => !$(`err-${f}`).hidden) ? null : body;
}

async function onSubmit(ev) {
  ev.preventDefault();
  if (st.busy) return;
  clearErrors();
  const body = readForm();
  if (!body) {
    focusFirstError();
    return;
  }
  const sig = JSON.stringify(body);
  if (!st.attempt || st.attempt.sig !== sig) st.attempt = { sig, key: uuid() };
  st.busy = true;
  const button = $('join-submit');
  button.disabled = true;
  button.textContent = t('customer.join.sending');
  try {
    const res = await api('POST', `/api/v1/join/${encodeURIComponent(st.location)}`, { body, key: st.attempt.key });
    await useLang(body.locale, true);
    location.assign(`${res.card}#welcome`);
  } catch (err) {
    showApiError(err);
  } finally {
    st.busy = false;
    button.disabled = false;
    button.textContent = t('customer.join.submit');
  }
}

/* ---- start ---- */

function showOnly(id) {
  for (const s of ['loading', 'join', 'nolocation', 'loadfail']) $(s).hidden = s !== id;
}

async function load() {
  showOnly('loading');
  try {
    const ref = st.ref ? `?ref=${encodeURIComponent(st.ref)}` : '';
    st.info = await api('GET', `/api/v1/join/${encodeURIComponent(st.location)}${ref}`);
  } catch (err) {
    showOnly(err.status === 404 ? 'nolocation' : 'loadfail');
    return;
  }
  // no choice made yet and a browser in none of our languages: the shop's language
  const lang = pickLang(savedLang(), ...browserLangs(), st.info.merchant.locale);
  if (lang !== currentLang()) await switchLang(lang, false);
  renderShop();
  showOnly('join');
}

async function boot() {
  await useLang(pickLang(savedLang(), ...browserLangs()), false);
  $('f-locale').value = currentLang();
  renderBirthday();
  $('f-locale').addEventListener('change', () => switchLang($('f-locale').value, true));
  $('join-form').addEventListener('submit', onSubmit);
  $('retry').addEventListener('click', load);
  await load();
  document.body.classList.add('ready');
}

boot();
