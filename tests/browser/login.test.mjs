// Login: a wrong password is refused on the page and sets no session; the right one opens the
// counter with a real session (the API agrees who is logged in); logout ends it.
import assert from 'node:assert/strict';
import { browserTests, env } from './lib.mjs';

const btest = browserTests(import.meta.url);

const sessionCookie = async (page) => (await page.context().cookies()).find((c) => c.name === 'loy_session');

btest('a wrong password shows the login error and opens nothing', async (page) => {
  const res = await page.goto(`${env.url}/console`);
  assert.equal(res.status(), 200, `GET /console answered ${res.status()}`);
  await page.locator('#login-form').waitFor({ state: 'visible' });
  await page.fill('#login-username', env.user);
  await page.fill('#login-password', 'not-the-password');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'POST');
  await page.click('#login-submit');
  assert.equal((await answer).status(), 401, 'the server refused the login');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  assert.notEqual((await page.textContent('#login-error')).trim(), '', '#login-error says something');
  assert.equal(await page.locator('#search').isVisible(), false, 'the counter stays hidden');
  assert.equal(await sessionCookie(page), undefined, 'no session cookie');
});

btest('the right password opens the counter, logout closes it', async (page) => {
  assert.equal((await page.goto(`${env.url}/console`)).status(), 200, 'GET /console');
  await page.fill('#login-username', env.user);
  await page.fill('#login-password', env.password);
  await page.press('#login-password', 'Enter'); // the form submits from the keyboard too
  await page.locator('#search').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#login-form').isVisible(), false, 'the login form is gone');
  assert.equal(await page.locator('#login-error').isVisible(), false, 'no login error');
  const cookie = await sessionCookie(page);
  assert.ok(cookie, 'the loy_session cookie is set');
  assert.equal(cookie.httpOnly, true, 'the session cookie is HttpOnly');
  const who = await page.request.get(`${env.url}/api/v1/session`);
  assert.equal(who.status(), 200);
  assert.equal((await who.json()).user.username, env.user, 'the API knows who is logged in');
  assert.equal(await page.getAttribute('#status', 'role'), 'status', '#status is a live region');

  // a reload keeps the session
  await page.reload();
  await page.locator('#search').waitFor({ state: 'visible' });

  await page.click('#logout');
  await page.locator('#login-form').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#search').isVisible(), false, 'the counter is hidden after logout');
  const after = await page.request.get(`${env.url}/api/v1/session`);
  assert.equal(after.status(), 401, 'the session has ended on the server');
});
