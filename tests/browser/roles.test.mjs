// What each staff role sees: a manager gets the dashboard and the adjustment form but not the
// programme editor (and the API refuses the writes the page hides); a cashier gets neither.
import assert from 'node:assert/strict';
import { addStaff, api, browserTests, env, loginAs } from './lib.mjs';

const btest = browserTests(import.meta.url);

btest('a manager sees the dashboard and can adjust, but cannot edit the programme', async (page) => {
  const pw = 'roles-manager-pw-1';
  await addStaff('roles-manager', 'manager', pw);
  await loginAs(page, 'roles-manager', pw);
  await page.locator('#search').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#nav-dashboard').isVisible(), true, 'the dashboard link');
  assert.equal(await page.locator('#nav-programme').isVisible(), false, 'no Programme link');
  await page.evaluate(() => { location.hash = '#programme'; });
  await page.waitForTimeout(300);
  assert.equal(await page.locator('#editor').isVisible(), false, '#programme opens nothing');

  await page.click('#nav-dashboard');
  await page.locator('#dashboard').waitFor({ state: 'visible' });
  await page.locator('#dashboard canvas').first().waitFor({ state: 'visible' });

  const m = (await api('GET', '/api/v1/members?q=a&limit=1')).body.members[0];
  await page.evaluate((id) => { location.hash = `#member/${id}`; }, m.id);
  await page.locator(`#profile[data-ready="true"][data-member-id="${m.id}"]`).waitFor();
  assert.equal(await page.locator('#adjust-form').isVisible(), true, 'a manager adjusts');

  const prog = (await api('GET', '/api/v1/programme')).body;
  const csrf = await page.evaluate(() => fetch('/api/v1/session').then((r) => r.json()).then((s) => s.csrf_token));
  assert.ok(csrf, 'the session has a CSRF token (so a 403 is about the role)');
  const put = await page.request.put(`${env.url}/api/v1/programme`, { data: { programme: prog.programme }, headers: { 'X-CSRF-Token': csrf } });
  assert.equal(put.status(), 403, 'the API refuses a manager a programme save');
  assert.match((await put.json()).error.message, /owner/i, 'because of the role');
  assert.equal((await api('GET', '/api/v1/programme')).body.version, prog.version, 'nothing saved');
});
