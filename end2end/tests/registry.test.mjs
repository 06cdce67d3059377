// The enterprise registry page in a real browser (issue 14), with JavaScript and without:
// the administrator uploads a file, sees its bad line, uploads the corrected file, imports it
// and watches it finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

// GB 32100—2015: the check character of a unified social credit code.
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
function creditCode(first17) {
  const sum = [...first17].reduce((s, c, i) => s + CHARS.indexOf(c) * WEIGHTS[i], 0);
  return first17 + CHARS[(31 - (sum % 31)) % 31];
}

function registryCsv(industry) {
  const header = '单位名称,统一社会信用代码,所属县（市、区）,乡镇（街道）,行业,地址,法定代表人,从业人员数,联系人,联系电话';
  const rows = [
    `昆明浏览器测试甲有限公司,${creditCode('94530102PC0000001')},五华区,华山街道,化工,五华区测试路1号,张三,12,,`,
    `昆明浏览器测试乙有限公司,${creditCode('94530102PC0000002')},530111,,${industry},官渡区测试路2号,李四,30,王五,0871-65000000`,
  ];
  return Buffer.from([header, ...rows].join('\r\n') + '\r\n', 'utf8');
}

async function importRegistry(page, base, suffix) {
  await page.goto(`${base}/login`);
  await page.fill('#username', 'admin');
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
  await page.click('a[href="/registry"]');
  await page.waitForURL(`${base}/registry`);

  // A file with an industry that is not one of the sixteen: its line, column and reason.
  await page.setInputFiles('#file', { name: `名录${suffix}.csv`, mimeType: 'text/csv', buffer: registryCsv('造船') });
  await Promise.all([page.waitForURL(/\/registry\?job=/), page.click('form[action="/registry/upload"] button')]);
  await page.waitForSelector('.registry-job .problems li', { timeout: 20000 });
  assert.match(await page.textContent('.registry-job'), /第 3 行「行业」：行业不在 16 个行业之列。/);
  assert.equal(await page.locator('form[action="/api/registry_import"]').count(), 0);

  // The corrected file: what it would do, then the import, then its outcome.
  await page.setInputFiles('#file', { name: `名录${suffix}.csv`, mimeType: 'text/csv', buffer: registryCsv('建筑施工') });
  await Promise.all([page.waitForURL(/\/registry\?job=/), page.click('form[action="/registry/upload"] button')]);
  await page.waitForSelector('form[action="/api/registry_import"]', { timeout: 20000 });
  assert.match(await page.textContent('.registry-job'), /共 2 行：新增 2 家，更新 0 家，0 家无变化。/);
  await screenshot(page, `registry-checked${suffix}`);
  await page.click('form[action="/api/registry_import"] button');
  await page.waitForSelector('.registry-job .form-ok', { timeout: 20000 });
  assert.match(await page.textContent('.registry-job'), /导入完成：共 2 行，新增 2 家/);

  // The units are there.
  await page.goto(`${base}/admin/units?q=浏览器测试`);
  assert.match(await page.textContent('main'), /昆明浏览器测试乙有限公司/);
}

test('the administrator checks and imports a registry file, with JavaScript', async () => {
  const server = await startServer({ clock: '2027-01-05T10:00:00+08:00' });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${server.base}/`);
    await importRegistry(page, server.base, '');
    await page.goto(`${server.base}/registry`);
    await waitForHydration(page);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the administrator checks and imports a registry file, without JavaScript', async () => {
  const server = await startServer({ clock: '2027-01-05T10:00:00+08:00' });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
    await importRegistry(page, server.base, '-nojs');
  } finally {
    await browser.close();
    await server.stop();
  }
});
