// Privacy in the member profile: an owner downloads a member's data (the JSON file has their name
// and their ledger as the API has it), changes a consent (the API then shows it with source
// "console" and the time it was saved), and erases a member after a confirm step that asks for a
// reason and says what happens (the profile, in any language, and the API then show the
// pseudonym; search no longer finds the old name). A manager may change consents but sees no
// export or erase; a cashier sees neither.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { browserTests, env, api, member, searchIds, login } from './lib.mjs';

const btest = browserTests(import.meta.url);
const tail = () => String(Date.now()).slice(-7);

// A new member (owner key) with a purchase; returns {id, name, email}.
async function newMember(name, extra = {}) {
  const t = tail();
  const email = `privacy.${t}@example.org`;
  const r = await api('POST', '/api/v1/members', { name, email, phone: `+60 18-${t.slice(0, 3)} ${t.slice(3)}`, birthday: '1984-05-06', notes: 'privacy test', ...extra },
    { 'Idempotency-Key': `privacy-member-${t}-${Math.random()}` });
  assert.equal(r.status, 201, `POST member: ${JSON.stringify(r.body)}`);
  const id = r.body.member.id;
  const p = await api('POST', '/api/v1/purchases', { member: id, amount: 1850, currency: 'MYR', location: 'BSR', items: [{ sku: 'KOPI', category: 'coffee', qty: 2, amount: 900 }] },
    { 'Idempotency-Key': `privacy-purchase-${t}-${Math.random()}` });
  assert.equal(p.status, 201, `POST purchase: ${JSON.stringify(p.body)}`);
  return { id, name, email };
}

async function openProfile(page, id) {
  await page.evaluate((x) => { location.hash = `#member/${x}`; }, id);
  await page.locator(`#profile[data-ready="true"][data-member-id="${id}"]`).waitFor();
}

function addUser(username, role, pw) {
  try {
    execFileSync(env.bin, ['user', 'add', '--db', env.db, '--username', username, '--name', username, '--role', role],
      { input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    if (!/exist|taken|already/i.test(String(e.stderr))) throw e;
  }
}

async function loginTo(page, username, pw, id) {
  await page.goto(`${env.url}/console#member/${id}`);
  await page.fill('#login-username', username);
  await page.fill('#login-password', pw);
  await page.click('#login-submit');
  await page.locator(`#profile[data-ready="true"][data-member-id="${id}"]`).waitFor();
}

btest('an owner exports a member: the download has their name and ledger', async (page) => {
  const m = await newMember(`Ottoline Exportwright ${tail()}`);
  await login(page);
  await openProfile(page, m.id);
  assert.ok(await page.locator('#privacy-box').isVisible(), 'an owner sees the privacy box');
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#privacy-export')]);
  assert.equal(download.suggestedFilename(), `member-${m.id}-export.json`);
  const doc = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(doc.format, 'loyalty.member-export');
  assert.equal(doc.member.id, m.id);
  assert.equal(doc.member.name, m.name, 'the file has the name');
  assert.equal(doc.member.email, m.email);
  const ledger = (await api('GET', `/api/v1/members/${m.id}/ledger?limit=100`)).body.entries;
  assert.ok(ledger.length >= 2, 'welcome bonus and purchase');
  assert.deepEqual(doc.tables.ledger.map((e) => e.id).sort((a, b) => a - b), ledger.map((e) => e.id).sort((a, b) => a - b),
    'the file has the ledger the API shows');
  assert.equal(doc.tables.purchases.length, 1);
  await page.locator('#status[data-kind="ok"]', { hasText: 'Downloaded' }).waitFor();
});

btest('an owner changes a consent: recorded with source console and the time', async (page) => {
  const m = await newMember(`Consuelo Tickbox ${tail()}`);
  const before = await member(m.id);
  assert.equal(before.member.consent.sms.granted, false);
  await login(page);
  await openProfile(page, m.id);
  assert.ok(await page.locator('#consent-form').isVisible(), 'an owner may change consents');
  assert.equal(await page.isChecked('#consent-sms'), false);
  const t0 = Date.now();
  await page.check('#consent-sms');
  await page.click('#consent-save');
  await page.locator('#status[data-kind="ok"]', { hasText: 'Consents' }).waitFor();
  const after = await member(m.id);
  assert.equal(after.member.consent.sms.granted, true, 'SMS consent given');
  assert.equal(after.member.consent.sms.source, 'console', 'the source is the console');
  const at = Date.parse(after.member.consent.sms.at);
  assert.ok(at >= Math.floor(t0 / 1000) * 1000 - 1000 && at <= Date.now() + 1000, `recorded now, got ${after.member.consent.sms.at}`);
  assert.equal(after.member.consent.email.granted, before.member.consent.email.granted, 'email consent unchanged');
  const li = page.locator('#profile-consents li[data-channel="sms"]');
  assert.equal(await li.getAttribute('data-granted'), 'true');
  assert.match(await li.textContent(), /console/, 'the list shows the source');
  // withdrawn again: recorded too
  await page.uncheck('#consent-sms');
  await page.click('#consent-save');
  await page.locator('#profile-consents li[data-channel="sms"][data-granted="false"]').waitFor();
  assert.equal((await member(m.id)).member.consent.sms.granted, false);
});

btest('an owner erases a member: the profile and the API show the pseudonym', async (page) => {
  const m = await newMember(`Erasmus Quillbright ${tail()}`);
  await login(page);
  await openProfile(page, m.id);
  await page.click('#privacy-erase');
  const form = page.locator('#erase-form');
  await form.waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#privacy-erase', 'aria-expanded'), 'true');
  const explain = await page.textContent('#erase-explain');
  assert.ok(explain.includes(m.name), 'the confirm step names the member');
  assert.ok(explain.includes(`Erased member ${m.id}`), 'and says what they become');
  assert.match(explain, /cannot be undone/);
  assert.match(explain, /points history and purchases stay/);

  // no reason: refused in the form, nothing sent
  await page.click('#erase-confirm');
  await page.locator('#erase-error').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#erase-reason', 'aria-invalid'), 'true');
  assert.equal((await member(m.id)).member.name, m.name, 'not erased without a reason');
  // cancel closes the step
  await page.click('#erase-cancel');
  assert.equal(await form.isVisible(), false);
  assert.equal((await member(m.id)).member.name, m.name, 'not erased on cancel');

  await page.click('#privacy-erase');
  await page.fill('#erase-reason', 'asked at the counter');
  await page.screenshot({ path: path.join(env.shots, 'privacy--the-erase-confirm-step.png'), fullPage: true });
  await page.click('#erase-confirm');
  const pseudonym = `Erased member ${m.id}`;
  await page.locator('#profile-name', { hasText: pseudonym }).waitFor();
  await page.locator('#status[data-kind="ok"]', { hasText: 'was erased' }).waitFor();
  assert.ok(await page.locator('#privacy-erased').isVisible(), 'the profile says the data was erased');
  assert.equal(await page.locator('#privacy-erase').isVisible(), false, 'no second erase');
  assert.equal(await page.locator('#profile-edit-form').isVisible(), false, 'no edit form');
  assert.equal(await page.locator('#consent-form').isVisible(), false, 'no consent form');
  assert.ok(!(await page.textContent('#profile-details')).includes(m.email), 'the details have no email');

  const v = await member(m.id);
  assert.equal(v.member.name, pseudonym, 'the API returns the pseudonym');
  assert.equal(v.member.email, null);
  assert.equal(v.member.phone, null);
  assert.ok(v.member.erased_at, 'erased_at is set');
  assert.equal((await searchIds(m.name.split(' ')[1])).has(m.id), false, 'search no longer finds the old name');
  assert.equal((await searchIds(m.name.split(' ')[1])).size, 0);
  const refused = await api('POST', '/api/v1/purchases', { member: m.id, amount: 500 }, { 'Idempotency-Key': `privacy-after-${tail()}` });
  assert.equal(refused.status, 422, 'an erased member cannot earn');

  // the pseudonym in the console's language
  await page.selectOption('#lang', 'ms');
  await page.locator('#profile-name', { hasText: `Ahli dipadam ${m.id}` }).waitFor();
  await page.selectOption('#lang', 'en');
  await page.locator('#profile-name', { hasText: pseudonym }).waitFor();
});

btest('a manager changes consents but cannot export or erase; a cashier does neither', async (page) => {
  const m = await newMember(`Managed Person ${tail()}`);
  addUser('privacy-manager', 'manager', 'privacy-manager-pw-1');
  addUser('privacy-cashier', 'cashier', 'privacy-cashier-pw-1');
  await loginTo(page, 'privacy-manager', 'privacy-manager-pw-1', m.id);
  assert.equal(await page.locator('#privacy-box').isVisible(), false, 'no privacy box for a manager');
  assert.ok(await page.locator('#consent-form').isVisible(), 'a manager may change consents');
  const exp = await page.evaluate(async (id) => (await fetch(`/api/v1/members/${id}/export`)).status, m.id);
  assert.equal(exp, 403, 'the API refuses a manager the export');

  const ctx = page.context();
  await ctx.clearCookies();
  const page2 = await ctx.newPage();
  await loginTo(page2, 'privacy-cashier', 'privacy-cashier-pw-1', m.id);
  assert.equal(await page2.locator('#privacy-box').isVisible(), false, 'no privacy box for a cashier');
  assert.equal(await page2.locator('#consent-form').isVisible(), false, 'no consent form for a cashier');
  await page2.close();
});
