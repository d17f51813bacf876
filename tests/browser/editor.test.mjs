// The programme editor (owner only): the forms hold the active programme; an invalid value shows
// the validator's message next to its field and saves nothing; a good change saves a new version
// that the API then serves; a cashier has no editor. The programme is put back at the end, so the
// other test files see Kopi Kita as before.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { browserTests, api, login, env, nums } from './lib.mjs';

const btest = browserTests(import.meta.url);
const field = (page, path) => page.locator(`#editor-form [data-path="${path}"]`);
// the message shown under the input of `path`
const errorOf = (page, path) => field(page, path).locator('xpath=..').locator('.ed-error');

async function active() {
  const r = await api('GET', '/api/v1/programme');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function openEditor(page) {
  await login(page);
  const link = page.locator('#nav-programme');
  await link.waitFor({ state: 'visible' });
  await link.click();
  await page.locator('#editor[data-ready="true"]').waitFor();
  assert.equal(await page.locator('#counter').isVisible(), false, 'the counter is hidden');
  assert.equal(await link.getAttribute('aria-current'), 'page', 'the Programme link is marked current');
}

btest('the owner edits the programme: errors by their field, then a good save', async (page) => {
  const original = await active();
  try {
    await openEditor(page);
    const v0 = original.version;
    assert.equal(await page.getAttribute('#editor-version', 'data-version'), String(v0), 'the active version is shown');
    // the forms hold the API's programme
    assert.equal(await field(page, 'stamps.card_size').inputValue(), String(original.programme.stamps.card_size));
    assert.equal(await field(page, 'points.earn[0].points_per_unit').inputValue(), String(original.programme.points.earn[0].points_per_unit));
    assert.equal(await field(page, 'giving.percent').inputValue(), String(original.programme.giving.percent));
    assert.equal(await field(page, 'rewards[1].cost.points').inputValue(), String(original.programme.rewards[1].cost.points));
    assert.equal(await field(page, 'tiers.levels[1].threshold').inputValue(), original.programme.tiers.levels[1].threshold);

    // the preview: a purchase through the dry run, with the active version
    const pv = page.locator('#editor-preview-result .ed-preview-sentence');
    await pv.waitFor();
    const sentence = await pv.textContent();
    assert.match(sentence, /RM\s?18\.50/, `[${sentence}] names the amount`);
    assert.match(sentence, /points/, `[${sentence}] says what it earns`);
    const pts0 = Number(await page.getAttribute('#editor-preview-result', 'data-points'));

    // card size 0: the validator's message next to the card size, and in the summary
    await field(page, 'stamps.card_size').fill('0');
    await errorOf(page, 'stamps.card_size').waitFor({ state: 'visible' });
    assert.match(await errorOf(page, 'stamps.card_size').textContent(), /^stamps\.card_size: expected/);
    assert.equal(await field(page, 'stamps.card_size').getAttribute('aria-invalid'), 'true');
    await page.locator('#editor-errors', { hasText: 'stamps.card_size' }).waitFor();
    await field(page, 'stamps.card_size').fill('10');
    await page.locator('#editor[data-valid="true"]').waitFor();
    assert.equal(await errorOf(page, 'stamps.card_size').isVisible(), false, 'the message goes when the value is right');

    // a negative points rate: its message next to the rate; Save saves nothing
    await field(page, 'points.earn[0].points_per_unit').fill('-1');
    await errorOf(page, 'points.earn[0].points_per_unit').waitFor({ state: 'visible' });
    assert.match(await errorOf(page, 'points.earn[0].points_per_unit').textContent(), /points\.earn\[0\]\.points_per_unit/);
    await page.click('#editor-save');
    await page.locator('#status', { hasText: 'Not saved' }).waitFor();
    await page.screenshot({ path: path.join(env.shots, 'editor--invalid-rate-not-saved.png'), fullPage: false });
    assert.equal((await active()).version, v0, 'nothing was saved: the version is unchanged');
    await field(page, 'points.earn[0].points_per_unit').fill('1');
    await page.locator('#editor[data-valid="true"]').waitFor();

    // an unknown field in a JSON part: the "did you mean" hint next to that part
    const locs = field(page, 'locations');
    const good = await locs.inputValue();
    await locs.fill('[{"code": "BSR", "nmae": "Bangsar"}]');
    await errorOf(page, 'locations').waitFor({ state: 'visible' });
    assert.match(await errorOf(page, 'locations').textContent(), /did you mean "name"/);
    await locs.fill(good);
    await page.locator('#editor[data-valid="true"]').waitFor();

    // the preview follows the unsaved draft: 3 points per unit instead of the saved 1
    const sim = page.waitForRequest((r) => new URL(r.url()).pathname === '/api/v1/purchases:simulate' &&
      r.postDataJSON()?.programme?.points?.earn?.[0]?.points_per_unit === 3);
    await field(page, 'points.earn[0].points_per_unit').fill('3');
    const sent = (await sim).postDataJSON();
    await page.waitForFunction((p0) => {
      const r = document.querySelector('#editor-preview-result');
      return r.dataset.draft === 'true' && Number(r.dataset.points) > p0;
    }, pts0);
    const draftPts = Number(await page.getAttribute('#editor-preview-result', 'data-points'));
    const direct = await api('POST', '/api/v1/purchases:simulate', sent);
    assert.equal(direct.status, 200, JSON.stringify(direct.body));
    assert.equal(draftPts, direct.body.outcome.points_earned + direct.body.outcome.bonus_points, 'the page shows the dry run of the draft');
    assert.match(await page.textContent('#editor-preview-result'), /unsaved/, 'the sentence says it is the draft');
    assert.equal((await active()).version, v0, 'a preview saves nothing');
    await field(page, 'points.earn[0].points_per_unit').fill('1');
    await page.waitForFunction((p0) => Number(document.querySelector('#editor-preview-result').dataset.points) === p0, pts0);

    // a good change: giving 1% -> 2%, RM5 off for 450 points; saved as the next version
    await field(page, 'giving.percent').fill('2');
    await field(page, 'rewards[1].cost.points').fill('450');
    await page.locator('#editor-dirty').waitFor({ state: 'visible' });
    await page.click('#editor-save');
    await page.locator(`#editor-version[data-version="${v0 + 1}"]`).waitFor();
    assert.deepEqual(nums(await page.textContent('#editor-version')), [v0 + 1], 'the new version number is shown');
    const after = await active();
    assert.equal(after.version, v0 + 1, 'one new version');
    assert.equal(after.programme.giving.percent, 2, 'the API has the new giving percent');
    assert.equal(after.programme.rewards[1].cost.points, 450, 'and the new reward cost');
    assert.deepEqual({ ...after.programme, giving: original.programme.giving, rewards: original.programme.rewards },
      original.programme, 'nothing else changed');
    assert.equal(await page.locator('#editor-dirty').isVisible(), false, 'no unsaved changes after the save');
    // the preview follows the saved version: 2% giving is in its explanation
    await page.locator('#editor-preview-result', { hasText: `version ${v0 + 1}` }).waitFor();
  } finally {
    // put Kopi Kita back for the other test files
    const r = await api('PUT', '/api/v1/programme', { programme: original.programme });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
});

btest('names are edited per language and saved as the API serves them', async (page) => {
  const original = await active();
  try {
    await openEditor(page);
    const name = (lang) => page.locator(`#editor-form [data-path="rewards[0].name"][data-lang="${lang}"]`);
    const before = original.programme.rewards[0].name;
    assert.equal(await name('en').inputValue(), before.en, 'the English name in its box');
    assert.equal(await name('ms').inputValue(), before.ms, 'the Malay name in its box');
    assert.equal(await name('hu').inputValue(), '', 'no Hungarian name yet');
    await name('hu').fill('Ingyen kávé');
    await page.locator('#editor-dirty').waitFor({ state: 'visible' });
    await page.click('#editor-save');
    await page.locator(`#editor-version[data-version="${original.version + 1}"]`).waitFor();
    const after = await active();
    assert.deepEqual(after.programme.rewards[0].name, { ...before, hu: 'Ingyen kávé' }, 'the Hungarian name added, the others kept');
    const card = await api('GET', `/api/v1/members/1`);
    const fetched = await fetch(`${env.url}/api/v1/cards/${card.body.member.card_token}?lang=hu`).then((r) => r.json());
    assert.equal(fetched.rewards.find((r) => r.id === original.programme.rewards[0].id).name, 'Ingyen kávé', 'served in Hungarian');
    // emptying every box leaves no name: the validator's message at the English box
    for (const l of ['en', 'ms', 'hu', 'bn']) await name(l).fill('');
    await page.locator('#editor[data-valid="false"]').waitFor();
    await page.locator('#editor-errors', { hasText: 'rewards[0].name' }).waitFor();
  } finally {
    const r = await api('PUT', '/api/v1/programme', { programme: original.programme });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
});

btest('a cashier sees no Programme link', async (page) => {
  const pw = 'edit-cashier-pw-1';
  try {
    execFileSync(env.bin, ['user', 'add', '--db', env.db, '--username', 'edit-cashier', '--name', 'Edit Cashier', '--role', 'cashier'],
      { input: `${pw}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
  } catch (e) {
    if (!/exist|taken|already/i.test(String(e.stderr))) throw e;
  }
  await page.goto(`${env.url}/console#programme`);
  await page.fill('#login-username', 'edit-cashier');
  await page.fill('#login-password', pw);
  await page.click('#login-submit');
  await page.locator('#search').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#nav-programme').isVisible(), false, 'no Programme link');
  assert.equal(await page.locator('#editor').isVisible(), false, '#programme in the address opens nothing');
  await page.evaluate(() => { location.hash = '#counter'; location.hash = '#programme'; });
  await page.waitForTimeout(200);
  assert.equal(await page.locator('#editor').isVisible(), false, 'nor does changing the address');
});
