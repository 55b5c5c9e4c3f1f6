// The Amsterdammer's page in a real browser (Debian's chromium, driven by playwright-core): log in
// with the demo's development login, see the disclosure a partner made moments before (proven in
// the public log, and re-checked by the browser with WebCrypto), revoke the consent through its confirmation step, and see it as Ingetrokken.
// Also: a page without a session goes to the login, and a forged post without the CSRF token is
// refused. Every page is screenshot and checked with axe-core (lib.mjs). Run by
// tests/tests/e2e/browser.rs, which starts the gateway and checks the partner's next request.
// Environment: BASE (https://127.0.0.1:PORT), BSN, SHOTS (a folder for screenshots).

import { check, launch, openContext, report, visit } from './lib.mjs';

const { BASE, BSN, SHOTS } = process.env;
if (!BASE || !BSN || !SHOTS) throw new Error('BASE, BSN and SHOTS are required');

const browser = await launch();
try {
  const { context, violations } = await openContext(browser);
  const page = await context.newPage();

  // Without a session: to the login page.
  await page.goto(`${BASE}/mijn`);
  check(page.url().endsWith('/mijn/login'), `redirected to the login page, at ${page.url()}`);
  await visit(browser, page, 'mijn-1-inloggen', violations);

  await page.getByLabel('BSN').fill(BSN);
  await page.getByRole('button', { name: /Inloggen/ }).click();
  await page.waitForURL(`${BASE}/mijn`);
  const body = await page.locator('main').innerText();
  check(body.includes('Wat er over u gedeeld is'), 'the disclosures section');
  check(body.includes('Ouder- en Kindteams Amsterdam'), `the partner's disclosure is listed: ${body}`);
  check(body.includes('Gecontroleerd in het openbare logboek'), 'the entry is proven in the public log');
  // With JavaScript, the browser re-checks the proof and the checkpoint's signature (WebCrypto).
  await page.getByText('Ook door uw browser gecontroleerd').first().waitFor();
  check(body.includes('Geldig'), 'the consent is shown as valid');
  check(!body.includes(BSN), 'the page never shows the BSN');
  await visit(browser, page, 'mijn-2-mijn-gegevens', violations);

  // Revoking: one action, a confirmation step, effective at once.
  await page.getByRole('button', { name: /intrekken/ }).first().click();
  await page.waitForURL(/\/intrekken\??$/);
  await visit(browser, page, 'mijn-3-bevestigen', violations);
  await page.getByRole('button', { name: /intrekken/ }).click();
  await page.waitForURL(/\/mijn\?ingetrokken=/);
  const after = await page.locator('main').innerText();
  check(after.includes('Ingetrokken'), `the consent is shown as Ingetrokken: ${after}`);
  check(after.includes('is ingetrokken'), 'a receipt of the revocation');
  await visit(browser, page, 'mijn-4-ingetrokken', violations);

  // Recording a refusal is offered the same way: one action, a confirmation step, a receipt.
  await page.getByLabel('Nooit delen met').selectOption('okt-amsterdam');
  await page.getByRole('button', { name: 'Weigering vastleggen' }).click();
  await page.waitForURL(/\/mijn\/weigeren\?/);
  await visit(browser, page, 'mijn-6-weigeren', violations);
  await page.getByRole('button', { name: /Ja, nooit delen met/ }).click();
  await page.waitForURL(/\/mijn\?geweigerd=/);
  const refused = await page.locator('main').innerText();
  check(refused.includes('nooit aan Ouder- en Kindteams Amsterdam'), `a receipt of the refusal: ${refused}`);
  await visit(browser, page, 'mijn-7-geweigerd', violations);

  // English as a choice, kept for the pages that follow.
  await page.getByRole('link', { name: 'English' }).click();
  await page.waitForURL(/taal=en/);
  check((await page.locator('h1').innerText()) === 'My data', 'the page in English');
  await visit(browser, page, 'mijn-5-english', violations);
  await page.getByRole('link', { name: 'Nederlands' }).click();
  await page.waitForURL(/taal=nl/);

  // A forged post (no CSRF token) from the same browser, session and all, is refused.
  const forged = await page.request.post(`${BASE}/mijn/uitloggen`, { form: { csrf: 'forged' } });
  check(forged.status() === 403, `a forged post is refused, got ${forged.status()}`);
  await context.close();
} catch (e) {
  await report(browser, e);
} finally {
  await browser.close();
}
console.log('resident flow passed');
