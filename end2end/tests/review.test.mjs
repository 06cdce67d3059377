// The review round trip in a real browser: the department returns a filing with a reason,
// the enterprise amends and resubmits it, the department accepts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, DEMO_PASSWORD } from './harness.mjs';

async function login(page, base, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
}

async function fileAllDone(page, base) {
  await page.goto(`${base}/filing`);
  for (const [id, value] of [['principal', '赵建国'], ['leader_in_charge', '钱明'], ['filled_by', '孙丽华'], ['reviewed_by', '李志强'], ['phone', '13812345678']]) {
    await page.fill(`#${id}`, value);
  }
  const names = await page.$$eval('input[type="radio"][value="done"]:not([disabled])', (els) => els.map((e) => e.name));
  for (const name of names) await page.check(`input[name="${name}"][value="done"]`);
  await Promise.all([page.waitForURL(/\/filing\/confirm/), page.click('button[value="review"]')]);
  await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid="confirm"] button[type="submit"]')]);
}

test('the department returns a filing, the enterprise fixes and resubmits it, the department accepts it', async () => {
  const server = await startServer({ clock: '2027-01-05T10:00:00+08:00' });
  const browser = await launchBrowser();
  try {
    const enterprise = await (await browser.newContext()).newPage();
    const department = await (await browser.newContext()).newPage();
    const errors = [];
    for (const p of [enterprise, department]) p.on('pageerror', (e) => errors.push(String(e)));

    await login(enterprise, server.base, 'qiye');
    await fileAllDone(enterprise, server.base);

    await login(department, server.base, 'wuhua-ajj');
    await department.goto(`${server.base}/review`);
    await waitForHydration(department);
    const row = department.locator('tr[data-unit="ent-530102-demo"]');
    // Returning without a reason is refused next to the reason field.
    await Promise.all([department.waitForURL(/flash=/), row.locator('.return-form button').click()]);
    assert.match(await department.textContent('tr[data-unit="ent-530102-demo"] .field-error'), /退回须写明原因/);
    await department.locator('tr[data-unit="ent-530102-demo"] .return-form textarea').fill('表6第3项与现场检查记录不符，请核实后重报');
    await Promise.all([department.waitForURL(/done=review/), department.locator('tr[data-unit="ent-530102-demo"] .return-form button').click()]);

    await enterprise.goto(`${server.base}/filing`);
    assert.match(await enterprise.textContent('[data-testid="review"]'), /表6第3项与现场检查记录不符/, 'the enterprise sees why');
    await Promise.all([enterprise.waitForURL(/\/filing\?period=/), enterprise.click('form[action="/api/revise_filing"] button')]);
    await fileAllDone(enterprise, server.base);
    assert.match(await enterprise.textContent('[data-testid="filing-head"]'), /版本 2/);

    await department.goto(`${server.base}/review?status=submitted`);
    await Promise.all([department.waitForURL(/done=review/), department.locator('tr[data-unit="ent-530102-demo"] button.primary').click()]);
    await enterprise.goto(`${server.base}/filing`);
    assert.match(await enterprise.textContent('[data-testid="filing-status"]'), /已受理/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
