// Referrals in the browser (docs/referrals.md), on a phone-sized screen: a friend opens a demo
// member's referral link /r/{code}, lands on the join page of the member's home location with the
// code, reads "Invited by FIRSTNAME" and joins; the API then says the new member was referred by
// that member and a pending referral exists, and the new member's own card offers their link.
// The referrer's console profile lists the friend. An unknown link lands on a join page without an
// invitation and without alarm.
import assert from 'node:assert/strict';
import { api, assertLabelled, browserTests, env, login, member } from './lib.mjs';

const btest = browserTests(import.meta.url);
const PHONE = { width: 390, height: 844 };

// A demo member with a name and a home location: the referrer.
async function referrer() {
  for (let id = 3; id <= 150; id++) {
    const v = await member(id);
    if (v.member.location && v.member.name && !v.member.erased_at) return v;
  }
  assert.fail('a demo member with a home location');
}

const state = {};

btest('a friend opens a member\'s link, sees who invited them and joins', async (page) => {
  await page.setViewportSize(PHONE);
  const ref = await referrer();
  const m = ref.member;
  assert.match(m.referral_code, /^[2-9A-HJKMNP-Z]{8}$/, 'staff see the referral code');
  assert.equal(m.referral_url, `/r/${m.referral_code}`, 'and the link');
  const first = m.name.trim().split(/\s+/)[0];

  // the link lands on the join page of the member's home location, code carried
  const locs = (await api('GET', '/api/v1/locations')).body.locations;
  const home = locs.find((l) => l.code === m.location);
  const res = await page.goto(`${env.url}${m.referral_url}`);
  assert.equal(res.status(), 200);
  assert.equal(new URL(page.url()).pathname, home.join, 'the home location\'s join page');
  assert.equal(new URL(page.url()).searchParams.get('ref'), m.referral_code);
  await page.locator('#join').waitFor({ state: 'visible' });
  await page.locator('#join-invited').waitFor({ state: 'visible' });
  assert.equal((await page.textContent('#join-invited')).trim(), `Invited by ${first}`);
  await assertLabelled(page);

  // join
  const phone = `+60 17-${String(Date.now()).slice(-7, -4)} ${String(Date.now()).slice(-4)}`;
  await page.fill('#f-name', 'Referral Friend');
  await page.fill('#f-phone', phone);
  await page.click('#join-submit');
  await page.waitForURL(/\/c\/[0-9A-Z]+/);
  await page.locator('#card').waitFor({ state: 'visible' });

  // the API: a referred member and a pending referral
  const found = await api('GET', `/api/v1/members?q=${encodeURIComponent(phone)}`);
  assert.equal(found.status, 200, JSON.stringify(found.body));
  assert.equal(found.body.members.length, 1, 'the new member is found by phone');
  const friend = await member(found.body.members[0].id);
  assert.equal(friend.member.referred_by, m.id, 'referred by the link\'s member');
  const list = await api('GET', '/api/v1/referrals?status=pending');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const r = list.body.referrals.find((x) => x.referee_id === friend.member.id);
  assert.ok(r, 'a pending referral for the new member');
  assert.equal(r.referrer_id, m.id);
  assert.equal(r.status, 'pending');
  assert.equal(r.reason, null);

  // the new member's card offers their own link to share
  await page.locator('#invite-box').waitFor({ state: 'visible' });
  assert.equal(await page.textContent('#invite-link'), `${env.url}${friend.member.referral_url}`);
  state.referrer = m.id;
  state.friend = friend.member.id;
});

btest('the referrer\'s profile lists the friend', async (page) => {
  assert.ok(state.friend, 'runs after the join test');
  await login(page);
  await page.goto(`${env.url}/console#member/${state.referrer}`);
  await page.locator(`#profile[data-ready="true"][data-member-id="${state.referrer}"]`).waitFor();
  const row = page.locator(`#profile-referrals-list li[data-member-id="${state.friend}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'pending');
  assert.match(await row.textContent(), /Referral Friend/);
  assert.match(await row.textContent(), /waiting for a first purchase/);
  assert.match(await page.textContent('#profile-referrals-code'), /\/r\/[2-9A-HJKMNP-Z]{8}/);
});

btest('an unknown link lands on a join page without an invitation', async (page) => {
  await page.setViewportSize(PHONE);
  const res = await page.goto(`${env.url}/r/ZZZZ2222`);
  assert.equal(res.status(), 200);
  assert.match(new URL(page.url()).pathname, /^\/join\/\d+$/);
  assert.equal(new URL(page.url()).search, '', 'no code carried');
  await page.locator('#join').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#join-invited').isVisible(), false, 'no "invited by"');
  assert.equal(await page.locator('#join-error').isVisible(), false, 'no error');
  assert.equal(await page.locator('#nolocation').isVisible(), false);
});
