// The feedback inbox (owners and managers): survey answers newest or most urgent first, each
// comment with the words that decided its triage highlighted (<mark>, the weight in its title),
// its topic, sentiment and urgency; the detractors' follow-up cases with status buttons, notes
// (who wrote them, when) and "assign to me"; the NPS of the last 12 months in one sentence.
// GET /api/v1/feedback, /api/v1/cases, /api/v1/reports/nps; PATCH /api/v1/cases/{id}; POST
// /api/v1/cases/{id}/notes. All texts come from web/i18n (feedback.*).
import { api } from './api.js';
import { t } from './i18n.js';
import { el } from './dom.js';
import { formatNumber, intlLocale } from './money.js';
import { say, describe } from './status.js';

const $ = (id) => document.getElementById(id);
const PAGE = 20;
const STATUSES = ['open', 'contacted', 'resolved'];
// a word of a comment as the triage splits it (src/engage/triage.c): letters, marks and digits
// of any script, joiners inside Bengali words, an apostrophe inside a word
const WORD = /[\p{L}\p{M}\p{N}\u200C\u200D]+(?:['\u2019\u02BC][\p{L}\p{M}\p{N}\u200C\u200D]+)*/gu;

const st = {
  wired: false,
  user: null,
  onSessionEnded: null,
  items: [],
  next: null,
  cases: null, // {cases, open, contacted, resolved}
  nps: null,
  seq: 0,
};

const groupName = (g) => ({ promoter: t('feedback.group.promoter'), passive: t('feedback.group.passive'), detractor: t('feedback.group.detractor') }[g] || g);
const statusName = (s) => ({ open: t('feedback.case.open'), contacted: t('feedback.case.contacted'), resolved: t('feedback.case.resolved') }[s] || s);
const sentimentName = (s) => ({ positive: t('feedback.sentiment.positive'), neutral: t('feedback.sentiment.neutral'), negative: t('feedback.sentiment.negative') }[s] || s);
const kindName = (k) => ({ sentiment: t('feedback.kind.sentiment'), topic: t('feedback.kind.topic'), urgency: t('feedback.kind.urgency') }[k] || k);
const topicName = (x) => ({
  service: t('feedback.topic.service'), product: t('feedback.topic.product'), price: t('feedback.topic.price'),
  wait: t('feedback.topic.wait'), cleanliness: t('feedback.topic.cleanliness'), staff: t('feedback.topic.staff'),
  app: t('feedback.topic.app'),
}[x] || x);

function when(iso) {
  if (!iso) return '';
  try {
    return new Intl.DateTimeFormat(intlLocale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  } catch {
    return iso.slice(0, 16).replace('T', ' ');
  }
}

const signed = (x) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${formatNumber(Math.abs(Math.round(x * 10) / 10))}`;

// What one deciding word did, for the mark's title: "sentiment −2 (not)", "topic staff +3".
function hitText(w) {
  const parts = [kindName(w.kind)];
  if (w.topic) parts.push(topicName(w.topic));
  parts.push(signed(w.applied));
  let s = parts.join(' ');
  if (w.negated) s += ` · ${t('feedback.word.negated', { word: w.negator || '' })}`;
  if (w.intensifier) s += ` · ${t('feedback.word.intensified', { word: w.intensifier })}`;
  return s;
}

// The comment as nodes: text, and <mark> around the words that decided its triage (the words of
// overlapping hits share one mark; its title lists what each did, with the weight).
export function highlighted(comment, words) {
  const spans = [...comment.matchAll(WORD)].map((m) => [m.index, m.index + m[0].length]);
  const marks = [];
  for (const w of words || []) {
    const n = Math.max(1, [...String(w.text).matchAll(WORD)].length);
    const a = spans[w.word];
    const b = spans[w.word + n - 1];
    if (a && b) marks.push({ from: a[0], to: b[1], hits: [w] });
  }
  marks.sort((x, y) => x.from - y.from || y.to - x.to);
  const groups = [];
  for (const m of marks) {
    const g = groups[groups.length - 1];
    if (g && m.from < g.to) {
      g.to = Math.max(g.to, m.to);
      g.hits.push(...m.hits);
    } else groups.push({ ...m, hits: [...m.hits] });
  }
  const out = [];
  let at = 0;
  for (const g of groups) {
    if (g.from > at) out.push(comment.slice(at, g.from));
    const feel = g.hits.filter((h) => h.kind === 'sentiment').reduce((s, h) => s + h.applied, 0);
    const cls = feel < 0 ? 'neg' : feel > 0 ? 'pos' : g.hits.some((h) => h.kind === 'urgency') ? 'urgent' : 'topic';
    out.push(el('mark', { class: `fb-mark fb-${cls}`, title: g.hits.map(hitText).join('; ') }, comment.slice(g.from, g.to)));
    at = g.to;
  }
  if (at < comment.length) out.push(comment.slice(at));
  return out;
}

function responseItem(f) {
  const tr = f.triage || {};
  const sentiment = tr.sentiment ? sentimentName(tr.sentiment.label) : '';
  const topics = (tr.topics || []).map((x) => topicName(x.topic)).join(', ');
  const head = el('div', { class: 'fb-item-head' },
    el('span', { class: `fb-score fb-${f.group}`, title: groupName(f.group), text: formatNumber(f.score) }),
    el('span', { class: 'fb-who', text: f.member.name }),
    el('span', { class: 'hint', text: [when(f.answered_at), f.location].filter(Boolean).join(' · ') }));
  const body = f.comment
    ? el('p', { class: 'fb-comment', lang: f.language }, ...highlighted(f.comment, tr.words))
    : el('p', { class: 'hint', text: t('feedback.no_comment') });
  const meta = el('p', { class: 'fb-meta' },
    el('span', { text: t('feedback.meta.group', { group: groupName(f.group) }) }),
    sentiment ? el('span', { text: t('feedback.meta.sentiment', { sentiment }) }) : null,
    topics ? el('span', { text: t('feedback.meta.topics', { topics }) }) : null,
    el('span', { text: t('feedback.meta.urgency', { urgency: formatNumber(f.urgency) }) }),
    f.case ? el('span', { class: `fb-chip fb-case-${f.case.status}`, text: t('feedback.meta.case', { id: formatNumber(f.case.id), status: statusName(f.case.status) }) }) : null);
  const li = el('li', { class: 'fb-item', 'data-id': String(f.id) }, head, body, meta);
  if (f.urgency >= 50) li.classList.add('fb-hot');
  return li;
}

function renderList() {
  $('fb-list').replaceChildren(...st.items.map(responseItem));
  $('fb-empty').hidden = st.items.length > 0;
  $('fb-more').hidden = !st.next;
}

async function changeCase(c, body, button) {
  if (button) button.disabled = true;
  try {
    const r = await api('PATCH', `/api/v1/cases/${c.id}`, { body });
    Object.assign(c, r.case);
    say(t('feedback.case.saved', { id: formatNumber(c.id), status: statusName(c.status) }), 'ok');
    await loadCases();
    await loadList(false);
  } catch (err) {
    failed(err);
  } finally {
    if (button) button.disabled = false;
  }
}

async function addNote(c, form, box) {
  const text = box.value.trim();
  const error = form.querySelector('.error');
  error.hidden = !!text;
  error.textContent = text ? '' : t('feedback.note.required');
  if (!text) {
    box.focus();
    return;
  }
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    await api('POST', `/api/v1/cases/${c.id}/notes`, { body: { text } });
    say(t('feedback.note.saved'), 'ok');
    await loadCases();
    const again = document.querySelector(`#fb-cases [data-case="${c.id}"] textarea`);
    if (again) again.focus();
  } catch (err) {
    error.hidden = false;
    error.textContent = describe(err);
    failed(err, true);
  } finally {
    button.disabled = false;
  }
}

function caseItem(c) {
  const s = c.survey;
  const head = el('div', { class: 'fb-item-head' },
    el('span', { class: 'fb-score fb-detractor', title: groupName('detractor'), text: formatNumber(s.score) }),
    el('span', { class: 'fb-who', text: t('feedback.case.title', { id: formatNumber(c.id), name: c.member.name }) }),
    el('span', { class: `fb-chip fb-case-${c.status}`, text: statusName(c.status) }));
  const comment = s.comment ? el('p', { class: 'fb-comment', lang: s.language, text: s.comment }) : el('p', { class: 'hint', text: t('feedback.no_comment') });
  const who = el('p', { class: 'hint', text: [when(s.answered_at), c.assignee ? t('feedback.case.assignee', { name: c.assignee }) : t('feedback.case.nobody')].join(' · ') });
  const buttons = el('div', { class: 'fb-status', role: 'group', 'aria-label': t('feedback.case.status_label', { id: formatNumber(c.id) }) });
  for (const status of STATUSES) {
    const b = el('button', { type: 'button', class: 'secondary small', 'data-status': status, 'aria-pressed': String(c.status === status), text: statusName(status) });
    b.addEventListener('click', () => { if (c.status !== status) changeCase(c, { status }, b); });
    buttons.append(b);
  }
  if (st.user && c.assignee !== st.user.username) {
    const me = el('button', { type: 'button', class: 'secondary small fb-assign', text: t('feedback.case.assign_me') });
    me.addEventListener('click', () => changeCase(c, { assignee: st.user.username }, me));
    buttons.append(me);
  }
  const notes = el('ul', { class: 'fb-notes', 'aria-label': t('feedback.note.list', { id: formatNumber(c.id) }) },
    ...(c.notes || []).map((n) => el('li', {},
      el('span', { class: 'fb-note-who', text: `${(n.staff || '').replace(/^user:/, '')} · ${when(n.created_at)}` }),
      el('span', { class: 'fb-note-text', text: n.text }))));
  const boxId = `fb-note-${c.id}`;
  const box = el('textarea', { id: boxId, rows: '2', maxlength: '2000' });
  const form = el('form', { class: 'fb-note-form', novalidate: '' },
    el('label', { for: boxId, text: t('feedback.note.label') }), box,
    el('p', { class: 'error', role: 'alert', hidden: '' }),
    el('button', { type: 'submit', class: 'secondary small', text: t('feedback.note.add') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    addNote(c, form, box);
  });
  return el('li', { class: 'fb-case', 'data-case': String(c.id) }, head, comment, who, buttons, notes, form);
}

function renderCases() {
  const c = st.cases;
  if (!c) return;
  $('fb-cases-counts').textContent = t('feedback.cases.counts', { open: formatNumber(c.open), contacted: formatNumber(c.contacted), resolved: formatNumber(c.resolved) });
  $('fb-cases').replaceChildren(...c.cases.map(caseItem));
  $('fb-cases-empty').hidden = c.cases.length > 0;
}

function renderNps() {
  const r = st.nps;
  if (!r) return;
  const o = r.overall;
  if (!o.responses) {
    $('fb-nps').textContent = t('feedback.nps.none');
    return;
  }
  $('fb-nps').textContent = t('feedback.nps.sentence', {
    nps: formatNumber(Math.round(o.nps)), low: formatNumber(Math.round(o.ci_low)), high: formatNumber(Math.round(o.ci_high)),
    n: formatNumber(o.responses), open: formatNumber(r.open_cases),
  });
}

function failed(err, quiet) {
  if (err.status === 401 && st.onSessionEnded) st.onSessionEnded();
  else if (!quiet) say(describe(err), 'error');
}

function query(before) {
  const q = new URLSearchParams({ limit: String(PAGE), order: $('fb-order').value });
  if ($('fb-group').value) q.set('group', $('fb-group').value);
  if (before) q.set('before', String(before));
  return q.toString();
}

async function loadList(more) {
  const seq = ++st.seq;
  try {
    const r = await api('GET', `/api/v1/feedback?${query(more ? st.next : null)}`);
    if (seq !== st.seq) return;
    st.items = more ? st.items.concat(r.feedback) : r.feedback;
    st.next = r.next_before;
    renderList();
  } catch (err) {
    failed(err);
  }
}

async function loadCases() {
  const r = await api('GET', '/api/v1/cases?limit=50');
  // each case with its notes (the list has the figures; the notes come with the case)
  const full = await Promise.all(r.cases.map((c) => api('GET', `/api/v1/cases/${c.id}`)));
  r.cases = full.map((x) => x.case);
  st.cases = r;
  renderCases();
}

async function loadAll() {
  const root = $('feedback');
  root.setAttribute('aria-busy', 'true');
  $('fb-loading').hidden = false;
  try {
    const from = new Date();
    from.setFullYear(from.getFullYear() - 1);
    const p = (n) => String(n).padStart(2, '0');
    const day = `${from.getFullYear()}-${p(from.getMonth() + 1)}-${p(from.getDate())}`;
    const [nps] = await Promise.all([api('GET', `/api/v1/reports/nps?from=${day}`), loadList(false), loadCases()]);
    st.nps = nps;
    renderNps();
    root.dataset.ready = 'true';
  } catch (err) {
    failed(err);
  } finally {
    root.removeAttribute('aria-busy');
    $('fb-loading').hidden = true;
  }
}

function wire() {
  $('fb-order').addEventListener('change', () => loadList(false));
  $('fb-group').addEventListener('change', () => loadList(false));
  $('fb-more').addEventListener('click', () => loadList(true));
}

// Shows the inbox and loads it; opts: {user: {username, role}, onSessionEnded}.
export async function showFeedback(opts = {}) {
  st.user = opts.user || null;
  st.onSessionEnded = opts.onSessionEnded || null;
  if (!st.wired) {
    wire();
    st.wired = true;
  }
  $('feedback').hidden = false;
  $('feedback').dataset.ready = 'false';
  await loadAll();
}

export function hideFeedback() {
  $('feedback').hidden = true;
}

// On logout: forget what was shown.
export function stopFeedback() {
  st.seq++;
  st.items = [];
  st.cases = null;
  st.nps = null;
  st.user = null;
  $('fb-list').replaceChildren();
  $('fb-cases').replaceChildren();
  $('fb-nps').textContent = '';
  $('feedback').hidden = true;
  $('feedback').dataset.ready = 'false';
}

// After a language change: every text in the new language.
export function rerenderFeedback() {
  if ($('feedback').hidden) return;
  renderList();
  renderCases();
  renderNps();
}
