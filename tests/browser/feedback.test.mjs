// Feedback, end to end in the browser: a member who speaks Bengali buys, opens the survey link
// /f/{token} on a phone (no login; the page is in Bengali; 0 to 10 is a keyboard-friendly radio
// group), answers 3 with a comment and sees the thank-you; the owner's Feedback page shows the
// answer with its deciding words highlighted (each <mark> with its weight in the title) and the
// detractor's case; the owner sets the case to contacted and adds a note, both recorded with the
// owner's name; the dashboard's NPS card shows the API's figure with its interval. An unknown
// link gets a kind page.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { api, assertContrast, assertFocusVisible, assertLabelled, browserTests, env, login, num } from './lib.mjs';

const btest = browserTests(import.meta.url);
const BENGALI = /[\u0980-\u09FF]/;
const PHONE = { width: 390, height: 844 };
const COMMENT = 'কফি ঠান্ডা ছিল, আর কর্মীরা অভদ্র।';
const run = promisify(execFile);

// One value from the test database (the survey token is a secret no API shows to staff).
async function sql(query) {
  const { stdout } = await run('sqlite3', [env.db, query], { timeout: 30000 });
  return stdout.trim();
}

// A new member who speaks Bengali and takes email, and a purchase: the survey it invites.
let answered = null; // {member, survey, caseId} once the first test has answered
async function invited() {
  const stamp = Date.now();
  const m = await api('POST', '/api/v1/members', {
    name: 'সুমন দাস', email: `sumon.${stamp}@example.org`, locale: 'bn', consent: { email: true },
  }, { 'Idempotency-Key': `fb-member-${stamp}` });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const id = m.body.member.id;
  const p = await api('POST', '/api/v1/purchases', {
    member: id, amount: 1250, location: 'BSR', items: [{ sku: 'KOPI', category: 'coffee', qty: 2, amount: 900 }],
  }, { 'Idempotency-Key': `fb-purchase-${stamp}` });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const row = await sql(`SELECT id || ' ' || token FROM surveys WHERE member_id = ${id}`);
  assert.match(row, /^\d+ [0-9A-Z]{32}$/, 'the purchase invited a survey');
  const [survey, token] = row.split(' ');
  return { member: id, survey: Number(survey), token };
}

btest('a Bengali-speaking member answers the survey on a phone', async (page) => {
  await page.setViewportSize(PHONE);
  const s = await invited();
  const requests = [];
  page.on('request', (r) => requests.push(r));
  const res = await page.goto(`${env.url}/f/${s.token}`);
  assert.equal(res.status(), 200);
  await page.locator('#survey').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'bn', "in the member's language");
  assert.equal(await page.inputValue('#lang'), 'bn', 'the language switch says so');
  const question = await page.textContent('#score-question');
  assert.match(question, BENGALI, 'the question is in Bengali');
  assert.ok(question.includes('Kopi Kita'), 'and names the shop');
  assert.ok((await page.textContent('#survey-hello')).includes('সুমন'), 'greets them by first name');
  assert.equal(await page.locator('#scale input[type="radio"][name="score"]').count(), 11, '0 to 10');
  assert.equal(await page.textContent('label[for="score-10"]'), '১০', 'numbers in Bengali digits');
  assert.equal(await sql(`SELECT answered_at FROM surveys WHERE id = ${s.survey}`), '0', 'opening changed nothing');
  await assertLabelled(page);
  await assertContrast(page);
  await assertFocusVisible(page, 4);

  // sending without a score says what is missing, and sends nothing
  await page.click('#survey-send');
  await page.locator('#score-error').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#score-error'), BENGALI);
  assert.equal(requests.filter((r) => r.method() === 'POST').length, 0, 'nothing sent');

  // the keyboard: arrows move through the scale (a native radio group)
  await page.focus('#score-0');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.equal(await page.isChecked('#score-3'), true, 'three steps right is 3');
  const ring = await page.evaluate(() => getComputedStyle(document.querySelector('label[for="score-3"]')).outlineStyle);
  assert.notEqual(ring, 'none', 'the chosen button shows the focus ring');
  await page.fill('#comment', COMMENT);
  await page.screenshot({ path: path.join(env.shots, 'feedback--survey-in-bengali.png'), fullPage: true });
  await page.click('#survey-send');
  await page.locator('#thanks').waitFor({ state: 'visible' });
  assert.match(await page.textContent('#thanks-heading'), BENGALI, 'thanked in Bengali');
  const pts = await page.textContent('#thanks-points');
  assert.ok(pts.includes('১০'), `[${pts}] names the thank-you points`);
  const post = requests.find((r) => r.method() === 'POST');
  assert.equal(new URL(post.url()).pathname, `/api/v1/surveys/${s.token}`);
  assert.deepEqual(JSON.parse(post.postData()), { score: 3, comment: COMMENT });
  assert.equal((await post.allHeaders()).cookie, undefined, 'no cookies');

  assert.equal(await sql(`SELECT score || '|' || comment FROM surveys WHERE id = ${s.survey}`), `3|${COMMENT}`);
  const caseId = Number(await sql(`SELECT id FROM cases WHERE survey_id = ${s.survey} AND status = 'open'`));
  assert.ok(caseId > 0, 'a detractor opens a case');
  answered = { ...s, caseId };

  // a reload: answered already, no form
  await page.reload();
  await page.locator('#answered').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#survey-form').isVisible(), false);
});

btest("the owner's Feedback page: deciding words, the case, a note", async (page) => {
  assert.ok(answered, 'the survey was answered by the test before');
  await login(page);
  await page.click('#nav-feedback');
  await page.locator('#feedback[data-ready="true"]').waitFor();
  assert.equal(await page.getAttribute('#nav-feedback', 'aria-current'), 'page');
  // newest first: the answer just given is at the top, highlighted where the triage decided
  const item = page.locator(`#fb-list li[data-id="${answered.survey}"]`);
  await item.waitFor();
  const first = await page.getAttribute('#fb-list li:first-child', 'data-id');
  assert.equal(Number(first), answered.survey, 'the newest answer first');
  const marks = await item.locator('mark').evaluateAll((ms) => ms.map((m) => ({ text: m.textContent, title: m.title, cls: m.className })));
  const fb = await api('GET', `/api/v1/feedback?member=${answered.member}`);
  const words = fb.body.feedback[0].triage.words;
  assert.ok(words.length >= 2, 'the triage found deciding words');
  assert.ok(marks.length >= 2, 'they are highlighted');
  const rude = marks.find((m) => m.text === 'অভদ্র');
  assert.ok(rude, `"অভদ্র" is marked: ${JSON.stringify(marks)}`);
  assert.match(rude.cls, /fb-neg/, 'as negative');
  assert.match(rude.title, /[−-]\d/, `its weight in the title [${rude.title}]`);
  for (const m of marks) assert.ok(COMMENT.includes(m.text), `[${m.text}] is a part of the comment`);
  assert.equal(await item.locator('.fb-comment').textContent(), COMMENT, 'the whole comment, unchanged');
  assert.match(await item.textContent(), /Case \d+: Open/, 'with its case');
  await assertLabelled(page);
  await assertContrast(page);

  // the case: contacted, with a note
  const card = page.locator(`#fb-cases li[data-case="${answered.caseId}"]`);
  await card.waitFor();
  await card.locator('button[data-status="contacted"]').click();
  await page.locator(`#fb-cases li[data-case="${answered.caseId}"] button[data-status="contacted"][aria-pressed="true"]`).waitFor();
  await page.fill(`#fb-note-${answered.caseId}`, 'Called: the machine was broken, a coffee on us next time.');
  await page.locator(`#fb-cases li[data-case="${answered.caseId}"] button[type="submit"]`).click();
  await page.locator(`#fb-cases li[data-case="${answered.caseId}"] .fb-note-text`, { hasText: 'machine was broken' }).waitFor();
  const c = await api('GET', `/api/v1/cases/${answered.caseId}`);
  assert.equal(c.body.case.status, 'contacted');
  assert.ok(c.body.case.contacted_at, 'when it was contacted');
  assert.equal(c.body.case.notes.length, 1);
  assert.equal(c.body.case.notes[0].staff, 'user:owner', 'the note records the staff member');
  assert.equal(c.body.case.notes[0].text, 'Called: the machine was broken, a coffee on us next time.');
  assert.ok((await page.textContent(`#fb-cases li[data-case="${answered.caseId}"] .fb-note-who`)).startsWith('owner'));
  await page.screenshot({ path: path.join(env.shots, 'feedback--inbox.png'), fullPage: true });

  // the most urgent first: ordered by urgency as the API orders it
  await page.selectOption('#fb-order', 'urgent');
  await page.waitForFunction(() => document.querySelectorAll('#fb-list li').length > 0);
  const urgent = await api('GET', '/api/v1/feedback?order=urgent&limit=20');
  await page.waitForFunction((id) => document.querySelector('#fb-list li')?.dataset.id === String(id), urgent.body.feedback[0].id);
  const shown = await page.$$eval('#fb-list li', (ls) => ls.map((l) => Number(l.dataset.id)));
  assert.deepEqual(shown, urgent.body.feedback.map((f) => f.id), 'the API\'s urgent order');
});

btest('the dashboard shows the NPS card with the API\'s figure', async (page) => {
  await login(page);
  await page.click('#nav-dashboard');
  await page.locator('#dashboard[data-ready="true"]').waitFor();
  const query = await page.getAttribute('#dashboard', 'data-query');
  const r = await api('GET', `/api/v1/reports/nps?${query}`);
  assert.equal(r.status, 200);
  const o = r.body.overall;
  assert.ok(o.responses > 0, 'the demo and the test have survey answers');
  assert.equal(num(await page.textContent('#dash-nps-value')), Math.round(o.nps), 'the NPS is the API\'s');
  const ci = await page.textContent('#dash-nps-ci');
  assert.ok(ci.includes(String(Math.round(o.ci_low))) && ci.includes(String(Math.round(o.ci_high))), `[${ci}] has the interval`);
  assert.ok(ci.includes(String(o.responses)), `[${ci}] has the number of answers`);
  const s = await page.textContent('#dash-nps-sentence');
  assert.match(s, o.nps > 0 ? /More promoters/ : o.nps < 0 ? /More detractors/ : /As many/, `[${s}] says what it means`);
  if (r.body.open_cases) assert.ok(s.includes(`${r.body.open_cases} open detractor cases`), `[${s}] says what to do`);
  await page.locator('#dash-nps-card').screenshot({ path: path.join(env.shots, 'feedback--nps-card.png') });
  await page.click('#dash-nps-link');
  await page.locator('#feedback[data-ready="true"]').waitFor();
});

btest('an unknown survey link gets a kind page', async (page) => {
  await page.setViewportSize(PHONE);
  const res = await page.goto(`${env.url}/f/NOSUCHLINKNOSUCHLINKNOSUCHLINK00`);
  assert.equal(res.status(), 200, 'the page itself loads');
  await page.locator('#notfound').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#survey').isVisible(), false);
  await page.selectOption('#lang', 'hu');
  await page.waitForFunction(() => /működik/.test(document.querySelector('#notfound-heading').textContent));
});
