// The privacy officers' console in a real browser (Debian's chromium, driven by playwright-core):
// log in with the demo's development login (field Organisatie), see the overview (the ledger in
// order, charts), the refused request with the vuistregel that stopped it, and review a disclosure
// made on a basis other than consent; then the disclosures, with their CSV, and the deferrals.
// Every page is screenshot and checked with axe-core (lib.mjs). Run by tests/tests/e2e/browser.rs.
// Environment: BASE, ORGANISATIE (a partner id), SHOTS (a folder for screenshots).

import { check, launch, openContext, report, visit } from './lib.mjs';

const { BASE, ORGANISATIE, SHOTS } = process.env;
if (!BASE || !ORGANISATIE || !SHOTS) throw new Error('BASE, ORGANISATIE and SHOTS are required');

const browser = await launch();
try {
  const { context, violations } = await openContext(browser, { width: 1280, height: 900 });
  const page = await context.newPage();

  await page.goto(`${BASE}/audit`);
  check(page.url().endsWith('/audit/login'), `redirected to the login page, at ${page.url()}`);
  await visit(browser, page, 'audit-1-inloggen', violations);
  await page.getByLabel('Organisatie').selectOption(ORGANISATIE);
  await page.getByRole('button', { name: /Inloggen/ }).click();
  await page.waitForURL(`${BASE}/audit`);
  const overview = await page.locator('main').innerText();
  check(overview.includes('In orde'), `the ledger is in order: ${overview}`);
  check((await page.locator('main svg[role=img]').count()) === 2, 'two charts');
  await visit(browser, page, 'audit-2-overzicht', violations);

  await page.getByRole('link', { name: 'Weigeringen' }).click();
  await page.waitForURL(`${BASE}/audit/weigeringen`);
  const denials = await page.locator('main').innerText();
  check(denials.includes('Vuistregel 8'), `the denial with its vuistregel: ${denials}`);
  await visit(browser, page, 'audit-3-weigeringen', violations);

  await page.getByRole('link', { name: 'Te beoordelen' }).click();
  await page.waitForURL(`${BASE}/audit/beoordelen`);
  check((await page.locator('main').innerText()).includes('Nog niet beoordeeld'), 'a disclosure awaits review');
  await visit(browser, page, 'audit-4-beoordelen', violations);
  await page.getByLabel('Akkoord').first().check();
  await page.getByLabel(/Toelichting/).first().fill('Melding past bij de publieke taak; toelichting volstaat.');
  await page.getByRole('button', { name: 'Beoordeling opslaan' }).first().click();
  await page.waitForURL(/\/audit\/beoordelen\?opgeslagen=/);
  const saved = await page.locator('main').innerText();
  check(saved.includes('is opgeslagen'), `the review is saved: ${saved}`);
  check(saved.includes('Er is niets te beoordelen'), 'nothing left to review');
  await visit(browser, page, 'audit-5-beoordeeld', violations);

  await page.getByRole('link', { name: 'Verstrekkingen' }).click();
  await page.waitForURL(`${BASE}/audit/verstrekkingen`);
  await page.getByLabel('Grondslag').selectOption('public_task');
  await page.getByRole('button', { name: 'Filteren' }).click();
  await page.waitForURL(/grondslag=public_task/);
  check((await page.locator('main').innerText()).includes('1 verstrekking(en)'), 'the filter keeps the melding');
  await visit(browser, page, 'audit-6-verstrekkingen', violations);
  const csv = await page.request.get(await page.getByRole('link', { name: /CSV/ }).getAttribute('href').then((h) => `${BASE}${h}`));
  check(csv.status() === 200 && (await csv.text()).split('\r\n').filter(Boolean).length === 2, 'the CSV holds the same row');

  await page.getByRole('link', { name: 'Uitgesteld' }).click();
  await page.waitForURL(`${BASE}/audit/uitgesteld`);
  await visit(browser, page, 'audit-7-uitgesteld', violations);

  const forged = await page.request.post(`${BASE}/audit/uitloggen`, { form: { csrf: 'forged' } });
  check(forged.status() === 403, `a forged post is refused, got ${forged.status()}`);
  await context.close();
} catch (e) {
  await report(browser, e);
} finally {
  await browser.close();
}
console.log('officer flow passed');
