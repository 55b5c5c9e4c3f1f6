// The Amsterdammer's page in a real browser (Debian's chromium, driven by playwright-core): log in
// with the demo's development login, see the disclosure a partner made moments before (proven in
// the public log), revoke the consent through its confirmation step, and see it as Ingetrokken.
// Also: a page without a session goes to the login, and a forged post without the CSRF token is
// refused. Run by tests/tests/e2e/browser.rs, which starts the gateway and checks the partner's next
// request. Environment: BASE (https://127.0.0.1:PORT), BSN, SHOTS (a folder for screenshots).

import { chromium } from 'playwright-core';

const { BASE, BSN, SHOTS } = process.env;
if (!BASE || !BSN || !SHOTS) throw new Error('BASE, BSN and SHOTS are required');

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  // The gateway's certificate is from the test's own development CA.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();

  // Without a session: to the login page.
  await page.goto(`${BASE}/mijn`);
  check(page.url().endsWith('/mijn/login'), `redirected to the login page, at ${page.url()}`);
  await page.screenshot({ path: `${SHOTS}/1-inloggen.png`, fullPage: true });

  await page.getByLabel('BSN').fill(BSN);
  await page.getByRole('button', { name: /Inloggen/ }).click();
  await page.waitForURL(`${BASE}/mijn`);
  const body = await page.locator('main').innerText();
  check(body.includes('Wat er over u gedeeld is'), 'the disclosures section');
  check(body.includes('Ouder- en Kindteams Amsterdam'), `the partner's disclosure is listed: ${body}`);
  check(body.includes('Gecontroleerd in het openbare logboek'), 'the entry is proven in the public log');
  check(body.includes('Geldig'), 'the consent is shown as valid');
  check(!body.includes(BSN), 'the page never shows the BSN');
  await page.screenshot({ path: `${SHOTS}/2-mijn-gegevens.png`, fullPage: true });

  // Revoking: one action, a confirmation step, effective at once.
  await page.getByRole('button', { name: /intrekken/ }).first().click();
  await page.waitForURL(/\/intrekken\??$/);
  await page.screenshot({ path: `${SHOTS}/3-bevestigen.png`, fullPage: true });
  await page.getByRole('button', { name: /intrekken/ }).click();
  await page.waitForURL(/\/mijn\?ingetrokken=/);
  const after = await page.locator('main').innerText();
  check(after.includes('Ingetrokken'), `the consent is shown as Ingetrokken: ${after}`);
  check(after.includes('is ingetrokken'), 'a receipt of the revocation');
  await page.screenshot({ path: `${SHOTS}/4-ingetrokken.png`, fullPage: true });

  // A forged post (no CSRF token) from the same browser, session and all, is refused.
  const forged = await page.request.post(`${BASE}/mijn/uitloggen`, { form: { csrf: 'forged' } });
  check(forged.status() === 403, `a forged post is refused, got ${forged.status()}`);
  await context.close();
} catch (e) {
  const pages = browser.contexts().flatMap((c) => c.pages());
  for (const p of pages) {
    await p.screenshot({ path: `${SHOTS}/failure.png`, fullPage: true }).catch(() => {});
    console.error(`at ${p.url()}:\n${await p.content().catch(() => '')}`);
  }
  throw e;
} finally {
  await browser.close();
}
console.log('resident flow passed');
