// The city's drill-down in a real browser (hydrated: the links navigate inside the app):
// the city roll-up → a county → a department → an enterprise's unmet row with its
// explanation → the enterprise's printed forms; then the city government's report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

test('the city drills down from the city to a county, a department, an enterprise and the row', async () => {
  // After the July 2026 window: the demo history has filings for 2026-H1 and earlier.
  const server = await startServer({ clock: '2026-11-24T10:00:00+08:00' });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.base}/login`);
    await page.fill('#username', 'city');
    await page.fill('#password', DEMO_PASSWORD);
    await Promise.all([page.waitForURL(`${server.base}/`), page.click('button[type="submit"]')]);

    await page.goto(`${server.base}/rollup`);
    await waitForHydration(page);
    assert.match(await page.textContent('[data-testid="rollup"] h1'), /2026年上半年/);
    assert.ok(await page.locator('[data-testid="trend-chart"] rect').count() >= 6, 'the trend is drawn');
    await screenshot(page, 'rollup-city');

    // City → 五华区 (a link in the counties table).
    await Promise.all([
      page.waitForURL(/unit=county-530102(&|$)/),
      page.click('[data-testid="children"] tr[data-unit="county-530102"] a'),
    ]);
    await page.waitForSelector('[data-testid="rollup"][data-scope="county-530102"]');
    assert.match(await page.textContent('nav.crumbs'), /全市/);

    // 五华区 → its 安全生产监督管理局.
    await Promise.all([
      page.waitForURL(/unit=county-530102-dept-ajj/),
      page.click('[data-testid="children"] tr[data-unit="county-530102-dept-ajj"] a'),
    ]);
    await page.waitForSelector('[data-testid="rollup"][data-scope="county-530102-dept-ajj"]');
    const crumbs = await page.textContent('nav.crumbs');
    assert.match(crumbs, /全市.*五华区人民政府.*安全生产监督管理局/s);

    // An enterprise with an unmet row → the row's units and explanations.
    const unmet = page.locator('[data-testid="units"] .unmet a').first();
    const rowId = (await unmet.textContent()).trim();
    const unitRow = page.locator('[data-testid="units"] tr', { has: page.locator('.unmet') }).first();
    const enterprise = (await unitRow.locator('td a').first().textContent()).trim();
    const explanation = (await unitRow.locator('.unmet').first().textContent()).split('：').slice(1).join('：').trim();
    await Promise.all([page.waitForURL(new RegExp(`row=${rowId.replace(/\./g, '\\.')}`)), unmet.click()]);
    await page.waitForSelector('[data-testid="row-detail"]');
    const detail = await page.textContent('[data-testid="row-detail"]');
    assert.ok(detail.includes(enterprise) && detail.includes(explanation), `${enterprise}: ${explanation} in ${detail}`);
    await screenshot(page, 'rollup-row');

    // The enterprise's forms, as printed, carry the same explanation.
    await Promise.all([
      page.waitForURL(/\/filing\/print/),
      page.locator('[data-testid="row-detail"] a', { hasText: enterprise }).first().click(),
    ]);
    await page.waitForSelector('.print-form, [data-testid="print"]');
    assert.ok((await page.textContent('body')).includes(explanation));

    // The city government's report: every county, printable.
    await page.goto(`${server.base}/report`);
    await waitForHydration(page);
    assert.match(await page.textContent('[data-testid="city-report"]'), /昆明市安全生产“零申报”工作情况报告/);
    assert.equal(await page.locator('[data-testid="report-counties"] tbody tr').count(), 19);
    assert.match(await page.textContent('[data-testid="report-gaps"]'), /呈贡区/);
    await screenshot(page, 'report');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
