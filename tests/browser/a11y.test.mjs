// Accessibility of every console screen: each visible control has a label, text meets the WCAG
// AA contrast against what is behind it, and keyboard focus is always visible; checked on the
// login screen, the counter with a member open, the member profile, the dashboard and the
// programme editor, in English and in Bengali (a script with other glyph metrics).
import { assertContrast, assertFocusVisible, assertLabelled, browserTests, env, login, member, openByCard } from './lib.mjs';

const btest = browserTests(import.meta.url);

async function check(page, focusStops = 12) {
  await assertLabelled(page);
  await assertContrast(page);
  await assertFocusVisible(page, focusStops);
}

btest('the login screen', async (page) => {
  await page.goto(`${env.url}/console`);
  await page.locator('#login-form').waitFor();
  await check(page, 6);
});

for (const lang of ['en', 'bn']) {
  btest(`the counter, profile, dashboard and editor (${lang})`, async (page) => {
    await login(page);
    if (lang !== 'en') {
      await page.selectOption('#lang', lang);
      await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    }
    const v = await member(4);
    await openByCard(page, v.member.card_token, v.member.name);
    await check(page, 20);

    await page.click('#member-profile-link');
    await page.locator(`#profile[data-ready="true"][data-member-id="${v.member.id}"]`).waitFor();
    await check(page, 20);

    await page.click('#nav-dashboard');
    await page.locator('#dashboard canvas').first().waitFor({ state: 'visible' });
    await page.waitForFunction(() => !document.querySelector('#dashboard [aria-busy="true"]'));
    await check(page, 12);

    await page.click('#nav-programme');
    await page.locator('#editor[data-ready="true"]').waitFor();
    await check(page, 12);
  });
}

// A 7-inch tablet, both ways up, and a phone: the counter fits the width (nothing to scroll
// sideways) and the search box, the member panel and Record purchase are on screen.
for (const [name, size] of [['7-inch tablet, portrait', { width: 600, height: 960 }],
  ['7-inch tablet, landscape', { width: 1024, height: 600 }], ['phone', { width: 390, height: 844 }]]) {
  btest(`the counter fits a ${name}`, async (page) => {
    await page.setViewportSize(size);
    await login(page);
    const v = await member(4);
    await openByCard(page, v.member.card_token, v.member.name);
    const overflow = await page.evaluate(() => document.scrollingElement.scrollWidth - window.innerWidth);
    if (overflow > 0) throw new Error(`the page is ${overflow} px wider than the screen`);
    for (const sel of ['#search', '#member-name', '#purchase-amount', '#purchase-submit']) {
      const box = await page.locator(sel).boundingBox();
      if (!box || box.width < 1 || box.x < 0 || box.x + box.width > size.width) throw new Error(`${sel} is not within the screen: ${JSON.stringify(box)}`);
    }
    await check(page, 8);
  });
}
