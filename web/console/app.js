// The console shell: language, session (login, logout, expiry), then the counter screen and,
// for owners and managers, the dashboard (#counter / #dashboard in the address).
import { api, setCsrf } from './api.js';
import { initialLang, setLang, t } from './i18n.js';
import { say, describe } from './status.js';
import { startCounter, stopCounter, rerenderCounter } from './counter.js';
import { showDashboard, hideDashboard, stopDashboard, rerenderDashboard } from './dashboard.js';
import { selectMember } from './counter.js';
import { showProfile, hideProfile, stopProfile, rerenderProfile, profileMemberId } from './profile.js';
import { showEditor, hideEditor, stopEditor, rerenderEditor } from './editor.js';
import { showAdmin, hideAdmin, stopAdmin, rerenderAdmin } from './admin.js';
import { showFeedback, hideFeedback, stopFeedback, rerenderFeedback } from './feedback.js';
import { showCampaigns, hideCampaigns, stopCampaigns, rerenderCampaigns } from './campaigns.js';

const $ = (id) => document.getElementById(id);
let user = null;

function showLogin(message) {
  user = null;
  setCsrf('');
  stopCounter();
  stopDashboard();
  stopProfile();
  stopEditor();
  stopAdmin();
  stopFeedback();
  stopCampaigns();
  $('nav').hidden = true;
  $('counter').hidden = true;
  $('logout').hidden = true;
  $('whoami').textContent = '';
  $('login').hidden = false;
  const e = $('login-error');
  e.hidden = !message;
  e.textContent = message || '';
  $('login-password').value = '';
  $('login-username').focus();
}

function renderWho() {
  if (!user) return;
  const role = { owner: t('role.owner'), manager: t('role.manager'), cashier: t('role.cashier') }[user.role] || user.role;
  $('whoami').textContent = t('shell.user', { name: user.name || user.username, role });
}

// ---- navigation between the screens ----
const mayDashboard = () => !!user && (user.role === 'owner' || user.role === 'manager');
const mayEdit = () => !!user && user.role === 'owner';

function markNav(view) {
  for (const [id, v] of [['nav-counter', 'counter'], ['nav-dashboard', 'dashboard'], ['nav-feedback', 'feedback'], ['nav-campaigns', 'campaigns'], ['nav-programme', 'programme'], ['nav-admin', 'admin']]) {
    if (v === view) $(id).setAttribute('aria-current', 'page');
    else $(id).removeAttribute('aria-current');
  }
}

async function go(view, arg) {
  if (!user) return;
  hideAdmin();
  hideFeedback();
  hideCampaigns();
  // the member profile (#member/{id}); leaving it for the counter keeps the member selected
  if (view === 'profile') {
    hideDashboard();
    hideEditor();
    $('counter').hidden = true;
    markNav('');
    await showProfile(arg, { role: user.role, onSessionEnded: () => showLogin(t('login.expired')) });
    return;
  }
  const fromProfile = $('profile').hidden ? 0 : profileMemberId();
  hideProfile();
  await goScreen(view);
  if (fromProfile && !$('counter').hidden) await selectMember(fromProfile);
}

async function goScreen(view) {
  if (view === 'admin' && mayEdit()) { // staff and keys: owners only (the API refuses others too)
    $('counter').hidden = true;
    hideDashboard();
    hideEditor();
    markNav('admin');
    $('admin').hidden = false;
    $('admin-heading').focus();
    await showAdmin({ self: user.username, onSessionEnded: () => showLogin(t('login.expired')) });
  } else if (view === 'programme' && mayEdit()) {
    $('counter').hidden = true;
    hideDashboard();
    markNav('programme');
    $('editor-heading').setAttribute('tabindex', '-1');
    $('editor-heading').focus();
    await showEditor({ onSessionEnded: () => showLogin(t('login.expired')) });
  } else if (view === 'feedback' && mayDashboard()) { // the feedback inbox (feedback.js)
    hideDashboard();
    hideEditor();
    $('counter').hidden = true;
    markNav('feedback');
    $('feedback').hidden = false;
    $('fb-heading').focus();
    await showFeedback({ user, onSessionEnded: () => showLogin(t('login.expired')) });
  } else if (view === 'campaigns' && mayDashboard()) { // campaigns and their results (campaigns.js)
    hideDashboard();
    hideEditor();
    $('counter').hidden = true;
    markNav('campaigns');
    $('campaigns').hidden = false;
    $('cmp-heading').focus();
    await showCampaigns({ user, onSessionEnded: () => showLogin(t('login.expired')) });
  } else if (view === 'dashboard' && mayDashboard()) {
    hideEditor();
    $('counter').hidden = true;
    $('dashboard').hidden = false;
    markNav('dashboard');
    $('dash-heading').setAttribute('tabindex', '-1');
    $('dash-heading').focus();
    await showDashboard({ onSessionEnded: () => showLogin(t('login.expired')) });
  } else {
    hideDashboard();
    hideEditor();
    $('counter').hidden = false;
    markNav('counter');
    $('search').focus();
  }
}

function onHash() {
  const pm = /^#member\/(\d+)$/.exec(location.hash);
  if (pm) return go('profile', Number(pm[1]));
  if (location.hash === '#dashboard') go('dashboard');
  else if (location.hash === '#counter') go('counter');
  else if (location.hash === '#programme') go('programme');
  else if (location.hash === '#admin') go('admin');
  else if (location.hash === '#feedback') go('feedback');
  else if (location.hash === '#campaigns') go('campaigns');
}

async function loggedIn(session) {
  user = session.user;
  setCsrf(session.csrf_token);
  $('login').hidden = true;
  $('login-error').hidden = true;
  $('logout').hidden = false;
  renderWho();
  $('nav').hidden = false;
  $('nav-dashboard').hidden = !mayDashboard();
  $('nav-feedback').hidden = !mayDashboard();
  $('nav-campaigns').hidden = !mayDashboard();
  $('nav-programme').hidden = !mayEdit();
  $('nav-admin').hidden = !mayEdit();
  markNav('counter');
  await startCounter({ onSessionEnded: () => showLogin(t('login.expired')) });
  const pm = /^#member\/(\d+)$/.exec(location.hash);
  if (pm) await go('profile', Number(pm[1]));
  else if (location.hash === '#dashboard' && mayDashboard()) await go('dashboard');
  else if (location.hash === '#programme' && mayEdit()) await go('programme');
  else if (location.hash === '#admin' && mayEdit()) await go('admin');
  else if (location.hash === '#feedback' && mayDashboard()) await go('feedback');
  else if (location.hash === '#campaigns' && mayDashboard()) await go('campaigns');
}

async function onLogin(ev) {
  ev.preventDefault();
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  const e = $('login-error');
  if (!username || !password) {
    e.textContent = t('login.missing');
    e.hidden = false;
    return;
  }
  $('login-submit').disabled = true;
  try {
    const s = await api('POST', '/api/v1/session', { body: { username, password } });
    say(t('login.welcome', { name: s.user.name || s.user.username }), 'ok');
    await loggedIn(s);
  } catch (err) {
    e.textContent = err.status === 401 || err.status === 400 ? t('login.failed') : describe(err);
    e.hidden = false;
    $('login-password').select();
  } finally {
    $('login-submit').disabled = false;
  }
}

async function onLogout() {
  try {
    await api('DELETE', '/api/v1/session');
  } catch { /* the session is gone either way */ }
  say(t('shell.logged_out'));
  showLogin('');
}

async function boot() {
  let session = null;
  try {
    session = await api('GET', '/api/v1/session');
  } catch { session = null; }
  const lang = initialLang(session && session.user && session.user.locale);
  await setLang(lang, false);
  $('lang').value = lang;
  $('lang').addEventListener('change', async () => {
    await setLang($('lang').value, true);
    renderWho();
    rerenderCounter();
    rerenderDashboard();
    rerenderProfile();
    rerenderEditor();
    rerenderAdmin();
    rerenderFeedback();
    rerenderCampaigns();
  });
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', onLogout);
  window.addEventListener('hashchange', onHash);
  // a link to the address already shown changes nothing: go there anyway
  $('nav-counter').addEventListener('click', () => { if (location.hash === '#counter') go('counter'); });
  $('profile-back').addEventListener('click', () => { if (location.hash === '#counter') go('counter'); else location.hash = '#counter'; });
  $('nav-dashboard').addEventListener('click', () => { if (location.hash === '#dashboard') go('dashboard'); });
  $('nav-programme').addEventListener('click', () => { if (location.hash === '#programme') go('programme'); });
  $('nav-admin').addEventListener('click', () => { if (location.hash === '#admin') go('admin'); });
  $('nav-feedback').addEventListener('click', () => { if (location.hash === '#feedback') go('feedback'); });
  $('nav-campaigns').addEventListener('click', () => { if (location.hash === '#campaigns') go('campaigns'); });
  window.addEventListener('offline', () => say(t('status.offline'), 'error'));
  window.addEventListener('online', () => say(t('status.online'), 'ok'));
  if (!navigator.onLine) say(t('status.offline'), 'error');
  if (session) await loggedIn(session);
  else showLogin('');
  document.body.classList.add('ready');
}

boot().catch((err) => say(describe(err), 'error'));

// The console's files kept for a reload without a network (sw.js); the API is never cached.
if ('serviceWorker' in navigator) navigator.serviceWorker.register('/console/sw.js', { scope: '/console' }).catch(() => {});
