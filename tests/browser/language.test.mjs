// The staff member's language: the shell follows #lang (English, Malay, Hungarian, Bengali),
// Bengali shows Bengali script, and English comes back.
import assert from 'node:assert/strict';
import { browserTests, login } from './lib.mjs';

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
