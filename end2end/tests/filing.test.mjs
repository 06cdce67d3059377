// Filing the nine forms in a real browser during the January window, with JavaScript and
// without; the print view shows every row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

const CLOCK = '2027-01-05T10:00:00+08:00';

async function login(page, base, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
}

/** Answers every binding row 落实, except `unmet` (row field → explanation). */
async function fillForms(page, unmet = {}) {
  await page.fill('#principal', '赵建国');
  await page.fill('#leader_in_charge', '钱明');
  await page.fill('#filled_by', '孙丽华');
  await page.fill('#reviewed_by', '李志强');
  await page.fill('#phone', '0871-63123456');
  const fields = await page.$$eval('input[type="radio"][value="done"]:not([disabled])', (els) => els.map((e) => e.name));
  assert.ok(fields.length > 10, 'the binding rows have answer buttons');
  for (const name of fields) {
    const field = name.slice('answers['.length, -1);
    if (unmet[field]) {
      await page.check(`input[name="${name}"][value="not_done"]`);
      await page.fill(`#x${field.slice(1)}`, unmet[field]);
    } else {
      await page.check(`input[name="${name}"][value="done"]`);
    }
  }
  return fields.length;
}

test('an enterprise fills the nine forms with JavaScript, sees live progress, and submits with one unmet item', async () => {
  const server = await startServer({ clock: CLOCK });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
    await login(page, server.base, 'qiye');
    await page.goto(`${server.base}/filing`);
    await waitForHydration(page);
    // Reloading hydrates again, every time (no intermittent hydration mismatch).
    for (let i = 0; i < 3; i++) {
      await page.reload();
      await waitForHydration(page);
    }
    assert.match(await page.textContent('[data-testid="filing-head"]'), /2026年度/);
    assert.match(await page.textContent('[data-testid="progress"]'), /已填 0项，共/);
    // Hydrated: the phone is checked as it is typed.
    await page.fill('#phone', '12345');
    await page.waitForSelector('#phone-error');
    const rows = await fillForms(page, { r5_3: '隐患排查制度尚未建立，计划于三月底前制定并组织全员培训。' });
    await page.waitForFunction((n) => document.querySelector('[data-testid="progress"]').textContent.includes(`已填 ${n}项`), rows);
    assert.equal(await page.$('#phone-error'), null, 'a valid phone clears its error');
    await screenshot(page, 'filing-filled');
    await Promise.all([page.waitForURL(/\/filing\/confirm/), page.click('button[value="review"]')]);
    const unmet = await page.textContent('[data-testid="unmet"]');
    assert.match(unmet, /5\.3/, 'the confirmation lists the unmet row');
    assert.match(unmet, /隐患排查制度尚未建立/, 'with its explanation');
    await screenshot(page, 'filing-confirm');
    await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid="confirm"] button[type="submit"]')]);
    assert.match(await page.textContent('[data-testid="filing-status"]'), /已提交/);
    assert.deepEqual(errors, []);

    // The print view shows every row's text and the ticks.
    await page.goto(`${server.base}/filing/print?period=2026-Y`);
    await waitForHydration(page);
    const print = await page.textContent('[data-testid="print"]');
    for (const text of ['安全生产“一岗双责”不落实零申报表', '应急预案和救援队伍建设不落实零申报表', '生产经营单位主要负责人、安全管理人员和特种作业人员安全教育培训、持证率 100%。', '第5.3项：隐患排查制度尚未建立']) {
      assert.ok(print.includes(text), `print view shows ${text}`);
    }
    assert.equal((await page.$$('section.official')).length, 9, 'nine forms');
    await page.emulateMedia({ media: 'print' });
    await screenshot(page, 'print-view');
    const pdf = await page.pdf({ format: 'A4' });
    assert.ok(pdf.length > 10000, 'the print view renders to an A4 PDF');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the enterprise fills and submits the nine forms with JavaScript off, by plain form posts', async () => {
  const server = await startServer({ clock: CLOCK });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await login(page, server.base, 'qiye');
    await page.goto(`${server.base}/filing`);
    // First try to submit with nothing answered: errors come back next to the rows.
    await Promise.all([page.waitForURL(/flash=/), page.click('button[value="review"]')]);
    assert.ok(await page.$('#principal-error'), 'the missing principal is flagged next to its field');
    assert.ok((await page.$$('.answer-row .field-error')).length > 0, 'unanswered rows are flagged');
    await fillForms(page);
    await Promise.all([page.waitForURL(/\/filing\/confirm/), page.click('button[value="review"]')]);
    assert.match(await page.textContent('[data-testid="nil"]'), /零申报/, 'a nil filing');
    await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid="confirm"] button[type="submit"]')]);
    assert.match(await page.textContent('[data-testid="filing-status"]'), /已提交/);
    // The township files its own forms the same way.
    await Promise.all([page.waitForURL(/\/login$/), page.click('form.logout button')]);
    await login(page, server.base, 'huashan');
    await page.goto(`${server.base}/filing`);
    const rows = await fillForms(page);
    assert.equal(rows, 11, 'a township answers the eleven rows that bind townships');
    await Promise.all([page.waitForURL(/\/filing\/confirm/), page.click('button[value="review"]')]);
    await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid="confirm"] button[type="submit"]')]);
    assert.match(await page.textContent('[data-testid="filing-status"]'), /已提交/);
    await context.close();
  } finally {
    await browser.close();
    await server.stop();
  }
});
