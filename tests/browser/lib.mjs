// What the browser flows share: Debian's chromium, a screenshot and an accessibility check of every
// page visited. axe-core runs inside each page (WCAG 2.0/2.1 A and AA rules); any violation fails
// the flow. The pages' Content-Security-Policy forbids every script, so axe runs in a second
// context that bypasses the CSP and shares the session cookies; the flow itself runs with the
// CSP enforced, and a page that breaks it (a blocked style or script) fails the flow too.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import { writeFile } from 'node:fs/promises';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');

export function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/// A phone-sized context (or `viewport`) whose pages report any CSP violation as a failure.
export async function openContext(browser, viewport = { width: 390, height: 844 }) {
  // The gateway's certificate is from the test's own development CA.
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport });
  // The flows run while the rest of the suite loads the machine: a minute per step, not 30 s.
  context.setDefaultTimeout(60_000);
  const violations = [];
  context.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  context.on('page', (page) =>
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    }),
  );
  return { context, violations };
}

/// Takes a screenshot of `page` as SHOTS/NAME.png and runs axe-core on the same URL with the
/// same cookies; throws on any WCAG 2.1 A/AA violation.
export async function visit(browser, page, name, violations) {
  const { SHOTS } = process.env;
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  check(violations.length === 0, `no Content-Security-Policy violation on ${name}: ${violations.join('; ')}`);
  const state = await page.context().storageState();
  const axeContext = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, storageState: state });
  axeContext.setDefaultTimeout(60_000);
  try {
    const axePage = await axeContext.newPage();
    const response = await axePage.goto(page.url());
    check(response && response.status() < 400, `${name} loads for the accessibility check`);
    await axePage.addScriptTag({ path: AXE });
    const result = await axePage.evaluate(() =>
      // eslint-disable-next-line no-undef
      axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
    );
    const found = result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
    check(found.length === 0, `axe-core finds no WCAG 2.1 AA violation on ${name}:\n  ${found.join('\n  ')}`);
    check(result.passes.length > 0, `axe-core ran its rules on ${name}`);
  } finally {
    await axeContext.close();
  }
}

/// On failure: a screenshot and the markup of every open page (kept beside the screenshots as
/// failure-N.png and failure-N.html), then the error. Only the pages' addresses and the error are
/// printed, so the test's report stays short enough to be read whole.
export async function report(browser, e) {
  const { SHOTS } = process.env;
  const pages = browser.contexts().flatMap((c) => c.pages());
  let n = 0;
  for (const p of pages) {
    n += 1;
    await p.screenshot({ path: `${SHOTS}/failure-${n}.png`, fullPage: true }).catch(() => {});
    const markup = await p.content().catch(() => '');
    await writeFile(`${SHOTS}/failure-${n}.html`, markup).catch(() => {});
    console.error(`open page ${n}: ${p.url()} (markup in ${SHOTS}/failure-${n}.html)`);
  }
  throw e;
}
