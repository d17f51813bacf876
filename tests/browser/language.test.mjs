// The staff member's language: the shell follows #lang (English, Malay, Hungarian, Bengali),
// Bengali shows Bengali script, and English comes back.
import assert from 'node:assert/strict';
import { browserTests, login, member, openByCard } from './lib.mjs';

const btest = browserTests(import.meta.url);
const BENGALI = /[\u0980-\u09FF]/;
// the page's text without the language menu (which names Bengali in Bengali whatever the language)
const shellText = (page) =>
  page.evaluate(() => {
    let t = document.body.innerText;
    for (const o of document.querySelectorAll('#lang option')) t = t.split(o.textContent).join('');
    return t;
  });

btest('switching the language to Bengali shows Bengali in the shell', async (page) => {
  await login(page);
  const options = await page.locator('#lang option').evaluateAll((os) => os.map((o) => o.value));
  for (const l of ['en', 'ms', 'hu', 'bn']) assert.ok(options.includes(l), `#lang offers ${l}`);
  const english = (await page.textContent('#logout')).trim();
  assert.notEqual(english, '', '#logout has a label');
  assert.doesNotMatch(await shellText(page), BENGALI, 'no Bengali in the English console');

  const labels = { en: english };
  let previous = english;
  for (const l of ['ms', 'hu', 'bn']) {
    await page.selectOption('#lang', l);
    await page.waitForFunction((p) => document.querySelector('#logout').textContent.trim() !== p, previous);
    labels[l] = previous = (await page.textContent('#logout')).trim();
  }
  assert.equal(new Set(Object.values(labels)).size, 4, `four different logout labels: ${JSON.stringify(labels)}`);
  assert.match(labels.bn, BENGALI, '#logout in Bengali');
  assert.match(await shellText(page), BENGALI, 'the shell shows Bengali');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'bn', '<html lang> follows');

  await page.selectOption('#lang', 'en');
  await page.waitForFunction((en) => document.querySelector('#logout').textContent.trim() === en, english);
  assert.doesNotMatch(await shellText(page), BENGALI, 'English again');
});

// Money in the staff member's language and the merchant's currency: ringgit is "RM" in every
// language (never the ISO code "MYR"), with that language's digits and separators.
btest('money is RM in every language, with the language digits', async (page) => {
  await login(page);
  const v = await member(2);
  await openByCard(page, v.member.card_token, v.member.name);
  const expect = { en: /RM\s?18\.50/, ms: /RM\s?18\.50/, hu: /18,50\s?RM/, bn: /১৮\.৫০\s?RM/ };
  for (const [l, re] of Object.entries(expect)) {
    await page.selectOption('#lang', l);
    await page.waitForFunction((x) => document.documentElement.lang === x, l);
    const shown = await page.evaluate(async () => (await import('/console/money.js')).formatMoney(1850, 'MYR'));
    assert.match(shown, re, `${l}: ${shown}`);
    assert.doesNotMatch(shown, /MYR/, `${l}: no ISO code`);
  }
  // and on the page (the spend to the next tier, in Bengali now)
  const progress = await page.textContent('#member-progress');
  assert.doesNotMatch(progress, /MYR/, `#member-progress [${progress}]`);
});
