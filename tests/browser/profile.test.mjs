// The member profile: an owner opens it from the counter's member panel; its history and visits
// are the API's ledger and purchases; notes and phone are changed and saved (checked through the
// API), a bad email is refused next to the email field, and +50 points with a reason land in the
// balance and the ledger; back at the counter the member is still selected. A cashier reaches the
// profile by its address, can change details but sees no adjustment form.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { browserTests, env, api, member, login, openByCard } from './lib.mjs';

const btest = browserTests(import.meta.url);

// a member of the demo with several purchases (the newest purchase's member)
async function someMember() {
  const r = await api('GET', '/api/v1/purchases?limit=1');
  assert.equal(r.status, 200, `GET purchases: ${JSON.stringify(r.body)}`);
  return member(r.body.purchases[0].member_id);
}

const ids = (page, sel, attr) => page.$$eval(sel, (lis, a) => lis.map((li) => Number(li.getAttribute(a))), attr);

btest('an owner opens, edits and adjusts a member profile', async (page) => {
  const v = await someMember();
  const id = v.member.id;
  await login(page);
  await openByCard(page, v.member.card_token, v.member.name);

  // from the member panel, by keyboard
  const link = page.locator('#member-profile-link');
  assert.equal(await link.getAttribute('href'), `#member/${id}`, 'the link is the profile address');
  await link.focus();
  await page.keyboard.press('Enter');
  await page.locator(`#profile[data-ready="true"][data-member-id="${id}"]`).waitFor();
  assert.equal(await page.evaluate(() => location.hash), `#member/${id}`);
  assert.equal(await page.locator('#counter').isVisible(), false, 'the counter is hidden');
  assert.equal((await page.textContent('#profile-name')).trim(), v.member.name);
  assert.equal(Number(await page.getAttribute('#profile-points', 'data-value')), v.balances.points, 'points as the API has them');
  if (v.model) assert.ok(await page.locator('#profile-clv').isVisible(), 'CLV is shown with a fitted model');
  const details = await page.textContent('#profile-details');
  if (v.member.email) assert.ok(details.includes(v.member.email), 'the details show the email');
  assert.equal(await page.locator('#profile-consents li').count(), 2, 'email and SMS consent');

  // history = the API's ledger, visits = the API's purchases
  const ledger = (await api('GET', `/api/v1/members/${id}/ledger?limit=20`)).body;
  assert.ok(ledger.entries.length > 0, 'the demo member has a history');
  assert.deepEqual(await ids(page, '#profile-ledger li', 'data-entry-id'), ledger.entries.map((e) => e.id), 'ledger entries match the API');
  const withRule = ledger.entries.find((e) => e.rule);
  if (withRule) {
    const text = await page.textContent(`#profile-ledger li[data-entry-id="${withRule.id}"]`);
    assert.ok(text.includes(withRule.rule), `entry ${withRule.id} [${text}] names its rule ${withRule.rule}`);
  }
  const visits = (await api('GET', `/api/v1/purchases?member=${id}&limit=20`)).body;
  assert.ok(visits.purchases.length > 0, 'the demo member has visits');
  assert.deepEqual(await ids(page, '#profile-visits li', 'data-purchase-id'), visits.purchases.map((p) => p.id), 'visits match the API');
  assert.equal(await page.locator('#profile-ledger-more').isVisible(), ledger.next_before != null, '"Show more" when there is more');

  // change notes and phone
  const tail = String(Date.now()).slice(-7);
  const notes = `Prefers kopi-o kosong ${tail}`;
  await page.fill('#profile-notes', notes);
  await page.fill('#profile-phone', `+60 19-${tail.slice(0, 3)} ${tail.slice(3)}`);
  await page.click('#profile-save');
  await page.locator('#status[data-kind="ok"]', { hasText: 'Saved' }).waitFor();
  const after = await member(id);
  assert.equal(after.member.notes, notes, 'the notes are saved');
  assert.equal(after.member.phone, `+6019${tail}`, 'the phone is saved (normalised)');
  assert.equal(await page.inputValue('#profile-phone'), `+6019${tail}`, 'the form shows what was saved');
  assert.ok((await page.textContent('#profile-details')).includes(notes), 'the details show the new notes');

  // a bad email is refused, next to the email field
  await page.fill('#profile-email', 'not-an-email');
  await page.click('#profile-save');
  const err = page.locator('#profile-email-error');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /email/, 'the error names the email');
  assert.equal(await page.getAttribute('#profile-email', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#profile-phone-error').isVisible(), false, 'and only the email');
  assert.equal((await member(id)).member.email, after.member.email, 'the email is unchanged');
  await page.click('#profile-edit-reset');
  assert.equal(await err.isVisible(), false, 'undo clears the error');

  // adjust +50 points with a reason
  const reason = `Goodwill: spilt drink ${tail}`;
  assert.ok(await page.locator('#adjust-form').isVisible(), 'an owner can adjust');
  await page.selectOption('#adjust-account', 'points');
  await page.fill('#adjust-delta', '+50');
  await page.fill('#adjust-reason', reason);
  await page.click('#adjust-submit');
  await page.locator(`#profile-ledger li[data-kind="adjust"]`, { hasText: reason }).waitFor();
  const adjusted = await member(id);
  assert.equal(adjusted.balances.points, after.balances.points + 50, 'the balance is 50 points higher');
  const top = (await api('GET', `/api/v1/members/${id}/ledger?limit=1`)).body.entries[0];
  assert.equal(top.kind, 'adjust');
  assert.equal(top.account, 'points');
  assert.equal(top.amount, 50);
  assert.equal(top.reason, reason, 'the ledger keeps the reason');
  assert.equal(Number(await page.getAttribute('#profile-points', 'data-value')), adjusted.balances.points, 'the profile shows the new balance');
  assert.equal(await page.inputValue('#adjust-reason'), '', 'the form is cleared');

  await page.screenshot({ path: path.join(env.shots, 'profile--the-profile.png'), fullPage: true });

  // back to the counter: the member is still selected, with the new balance
  await page.click('#profile-back');
  await page.locator('#member').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#profile').isVisible(), false);
  assert.equal((await page.textContent('#member-name')).trim(), v.member.name, 'the same member is selected');
  await page.locator(`#member-points[data-value="${adjusted.balances.points}"]`).waitFor();
});

btest('a cashier opens a profile by its address, without the adjustment form', async (page) => {
  const pw = 'profile-cashier-pw-1';
  try {
    execFileSync(env.bin, ['user', 'add', '--db', env.db, '--username', 'profile-cashier', '--name', 'Profile Cashier', '--role', 'cashier'],
      { input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    if (!/exist|taken|already/i.test(String(e.stderr))) throw e;
  }
  const v = await someMember();
  await page.goto(`${env.url}/console#member/${v.member.id}`);
  await page.fill('#login-username', 'profile-cashier');
  await page.fill('#login-password', pw);
  await page.click('#login-submit');
  await page.locator(`#profile[data-ready="true"][data-member-id="${v.member.id}"]`).waitFor();
  assert.equal((await page.textContent('#profile-name')).trim(), v.member.name);
  assert.equal(await page.locator('#adjust-form').isVisible(), false, 'no adjustment form for a cashier');
  assert.equal(await page.locator('#adjust-submit').isVisible(), false);
  assert.ok(await page.locator('#profile-edit-form').isVisible(), 'a cashier may change details');
  const notes = `Cashier note ${Date.now()}`;
  await page.fill('#profile-notes', notes);
  await page.click('#profile-save');
  await page.locator('#status[data-kind="ok"]', { hasText: 'Saved' }).waitFor();
  assert.equal((await member(v.member.id)).member.notes, notes, 'saved by the cashier');
});
