// Search as you type at the counter, in each script of the demo names: the console lists the
// members the API finds for the same fragment (accents and case ignored), and nobody else.
import assert from 'node:assert/strict';
import { browserTests, login, typeSearch, searchIds } from './lib.mjs';

const btest = browserTests(import.meta.url);

// fragment, and a word every result's name must show (the accented form for Hungarian)
const CASES = [
  ['latin', 'hafiz', /Hafiz/],
  ['hungarian without accents', 'zoltan', /Zoltán/],
  ['bengali', 'চৌধুরী', /চৌধুরী/],
];

for (const [script, fragment, shown] of CASES) {
  btest(`search by name fragment: ${script} (${fragment})`, async (page) => {
    const expected = await searchIds(fragment);
    assert.ok(expected.size > 0, `the demo data has a member matching ${fragment}`);
    await login(page);
    await typeSearch(page, fragment); // no Enter: results come as you type
    const results = page.locator('#results li.result');
    await results.first().waitFor();
    // the list settles on the full fragment (earlier keystrokes may have shown more)
    await page.waitForFunction(
      (want) => {
        const ids = [...document.querySelectorAll('#results li.result')].map((li) => Number(li.dataset.memberId));
        return ids.length > 0 && ids.every((id) => want.includes(id));
      },
      [...expected],
    );
    const ids = (await results.evaluateAll((lis) => lis.map((li) => li.dataset.memberId))).map(Number);
    for (const id of ids) assert.ok(expected.has(id), `member ${id} listed for ${fragment}, the API does not find it`);
    assert.equal(new Set(ids).size, ids.length, 'no member listed twice');
    if (expected.size <= 5) assert.deepEqual(new Set(ids), expected, `every match for ${fragment} is listed`);
    for (const text of await results.allTextContents()) assert.match(text, shown, `a result for ${fragment}`);
  });
}

btest('a fragment nobody has lists nobody', async (page) => {
  await login(page);
  await typeSearch(page, 'hafiz');
  await page.locator('#results li.result').first().waitFor();
  await typeSearch(page, 'qqxzv');
  await page.waitForFunction(() => document.querySelectorAll('#results li.result').length === 0);
});
