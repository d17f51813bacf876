// The survey page (/f/{token}): "How likely are you to recommend {shop} to a friend?" with 0 to
// 10 as large buttons (native radio buttons: arrow keys move between them, the page reads them as
// one group), an optional comment, and a thank-you after (GET and POST /api/v1/surveys/{token};
// opening the page changes nothing, answering happens once). In the member's language unless
// they chose another here (remembered by this browser).
import { api } from '/console/api.js';
import { formatNumber } from '/console/money.js';
import { $, currentLang, el, pickLang, savedLang, t, useLang } from './common.js';

const st = {
  token: decodeURIComponent(location.pathname.split('/')[2] || ''),
  view: null, // the API's answer: {survey: {answered, score}, shop, member, language, thank_you_points}
  shown: 'loading',
  busy: false,
  error: null, // () => text of the last failure (said again after a language switch)
  commentError: null,
  scoreError: false,
};
const path = () => `/api/v1/surveys/${encodeURIComponent(st.token)}`;

function showOnly(id) {
  st.shown = id;
  for (const s of ['loading', 'survey', 'thanks', 'answered', 'notfound', 'loadfail']) $(s).hidden = s !== id;
}

function buildScale() {
  const scale = $('scale');
  for (let s = 0; s <= 10; s++) {
    const id = `score-${s}`;
    scale.append(el('input', { type: 'radio', name: 'score', id, value: String(s), class: 'score-input' }),
      el('label', { for: id, class: 'score-label', text: formatNumber(s) }));
  }
  scale.addEventListener('change', () => {
    st.scoreError = false;
    render();
  });
}

function chosen() {
  const c = document.querySelector('input[name="score"]:checked');
  return c ? Number(c.value) : null;
}

function render() {
  const v = st.view;
  if (!v) {
    if (st.shown === 'notfound') document.title = t('customer.survey.notfound_heading');
    return;
  }
  const shop = v.shop;
  const name = v.member.first_name;
  $('shop').textContent = shop;
  for (let s = 0; s <= 10; s++) $(`score-${s}`).nextSibling.textContent = formatNumber(s);
  if (st.shown === 'survey' || st.shown === 'loading') {
    document.title = t('customer.survey.title', { shop });
    $('survey-hello').textContent = name ? t('customer.survey.hello', { name }) : t('customer.survey.heading');
    $('score-question').textContent = t('customer.survey.question', { shop });
    $('score-error').hidden = !st.scoreError;
    $('score-error').textContent = st.scoreError ? t('customer.survey.err_score') : '';
    $('score-group').setAttribute('aria-invalid', String(st.scoreError));
    $('comment-error').hidden = !st.commentError;
    $('comment-error').textContent = st.commentError ? st.commentError() : '';
    $('comment').setAttribute('aria-invalid', String(!!st.commentError));
    $('survey-error').hidden = !st.error;
    $('survey-error').textContent = st.error ? st.error() : '';
    $('survey-form').setAttribute('aria-busy', String(st.busy));
  }
  $('thanks-heading').textContent = name ? t('customer.survey.thanks_name', { name }) : t('customer.survey.thanks');
  $('thanks-text').textContent = t('customer.survey.thanks_text', { shop });
  const pts = v.survey.answered ? v.thank_you_points : 0;
  $('thanks-points').hidden = !pts;
  $('thanks-points').textContent = pts ? t('customer.survey.thanks_points', { points: formatNumber(pts) }) : '';
  $('answered-text').textContent = t('customer.survey.answered_text', { shop });
  if (st.shown === 'thanks' || st.shown === 'answered') document.title = t('customer.survey.thanks');
  if (st.shown === 'notfound') document.title = t('customer.survey.notfound_heading');
}

function failure(err) {
  if (err.status === 429) {
    const minutes = Math.max(1, Math.ceil((err.retryAfter || 60) / 60));
    return () => t('customer.survey.err_busy', { minutes });
  }
  if (err.status === 0) return () => t('customer.survey.err_network');
  return () => t('customer.survey.err_other');
}

async function send(ev) {
  ev.preventDefault();
  if (st.busy) return;
  const score = chosen();
  st.error = null;
  st.commentError = null;
  st.scoreError = score === null;
  render();
  if (score === null) {
    $('score-0').focus();
    return;
  }
  const comment = $('comment').value.trim();
  st.busy = true;
  $('survey-send').disabled = true;
  render();
  try {
    st.view = await api('POST', path(), { body: comment ? { score, comment } : { score } });
    showOnly('thanks');
    render();
    $('thanks-heading').focus();
  } catch (err) {
    if (err.status === 404) {
      showOnly('notfound');
    } else if (err.status === 409) { // answered meanwhile (another tab, a retry): thank them anyway
      st.view.survey.answered = true;
      showOnly('answered');
    } else if (err.status === 400 && err.field === 'comment') {
      st.commentError = () => t('customer.survey.err_comment');
      $('comment').focus();
    } else if (err.status === 400 && err.field === 'score') {
      st.scoreError = true;
    } else {
      st.error = failure(err);
    }
    render();
  } finally {
    st.busy = false;
    $('survey-send').disabled = false;
    render();
  }
}

async function load() {
  showOnly('loading');
  try {
    st.view = await api('GET', path());
  } catch (err) {
    if (err.status === 404) showOnly('notfound');
    else showOnly('loadfail');
    render();
    return;
  }
  const lang = pickLang(savedLang(), st.view.language);
  if (lang !== currentLang()) await useLang(lang, false);
  $('lang').value = currentLang();
  showOnly(st.view.survey.answered ? 'answered' : 'survey');
  render();
}

async function boot() {
  await useLang(pickLang(savedLang(), navigator.language), false);
  $('lang').value = currentLang();
  buildScale();
  $('lang').addEventListener('change', async () => {
    await useLang($('lang').value, true);
    render();
    if (st.shown === 'notfound') document.title = t('customer.survey.notfound_heading');
  });
  $('retry').addEventListener('click', load);
  $('survey-form').addEventListener('submit', send);
  await load();
  document.body.classList.add('ready');
}

boot();
