// The escalation ladder in a real browser (106号): the county office issues a 告诫 to an
// enterprise (delivered through its department), the enterprise files its 第九条
// rectification report, the office accepts it; then a 公开 shows the enterprise on the public
// page, which drops it when the office lifts the disclosure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

async function login(page, base, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
}

async function issueByHand(page, base, rung, reasons) {
  await page.goto(`${base}/escalations`);
  await waitForHydration(page);
  await page.selectOption('#target_unit_id', 'ent-530102-demo');
  await page.selectOption('#rung', rung);
  await page.fill('#manual-reasons', reasons);
  await Promise.all([page.waitForURL(/done=manual/), page.click('[data-testid="manual"] button[type="submit"]')]);
}

test('a 告诫 is issued, reported on and accepted; a 公开 is shown publicly and lifted', async () => {
  const server = await startServer({ clock: '2027-02-01T10:00:00+08:00' });
  const browser = await launchBrowser();
  try {
    const office = await (await browser.newContext()).newPage();
    const enterprise = await (await browser.newContext()).newPage();
    const department = await (await browser.newContext()).newPage();
    const visitor = await (await browser.newContext()).newPage();
    const errors = [];
    for (const p of [office, enterprise, department, visitor]) p.on('pageerror', (e) => errors.push(String(e)));

    await login(office, server.base, 'wuhua');
    // Issuing without a reason is refused next to the field.
    await office.goto(`${server.base}/escalations`);
    await waitForHydration(office);
    await office.selectOption('#target_unit_id', 'ent-530102-demo');
    await office.selectOption('#rung', 'admonition');
    await Promise.all([office.waitForURL(/flash=/), office.click('[data-testid="manual"] button[type="submit"]')]);
    assert.match(await office.textContent('[data-testid="manual"] .field-error'), /请写明警示事由/);
    await issueByHand(office, server.base, 'admonition', '2026年度零申报表5第3项重大隐患未整改，经告知后仍未落实。');
    const row = office.locator('[data-testid="issued"] tr[data-target="ent-530102-demo"]').first();
    const number = (await row.locator('td a').first().textContent()).trim();
    assert.match(number, /五华区安委办告诫〔2027〕1号/);

    // The enterprise: a count in the header, the escalation in its inbox, the 15-day date.
    await login(enterprise, server.base, 'qiye');
    assert.match(await enterprise.textContent('[data-testid="bell"]'), /\d/);
    assert.match(await enterprise.textContent('[data-testid="home-notices"]'), new RegExp(number.replace(/[〔〕]/g, '.')));
    await enterprise.goto(`${server.base}/inbox`);
    await waitForHydration(enterprise);
    await Promise.all([enterprise.waitForURL(/\/escalation\?id=/), enterprise.locator('[data-testid="escalation-table"] a').first().click()]);
    await enterprise.waitForSelector('[data-testid="document"]');
    assert.match(await enterprise.textContent('[data-testid="reply-due"]'), /2027-02-16/);
    await screenshot(enterprise, 'escalation-document');
    await Promise.all([enterprise.waitForURL(/done=acknowledge/), enterprise.click('[data-testid="acknowledge"]')]);
    await enterprise.fill('#body', '已更换重大危险源监控设备，隐患已整改完毕，经区安监局复查合格。');
    await Promise.all([enterprise.waitForURL(/done=respond/), enterprise.click('[data-testid="respond"] button[type="submit"]')]);
    assert.match(await enterprise.textContent('[data-testid="reply-state"]'), /待审核/);

    // The department supervising the enterprise sees it, read-only.
    await login(department, server.base, 'wuhua-ajj');
    await department.goto(`${server.base}/escalations`);
    assert.match(await department.textContent('[data-testid="issued"]'), new RegExp(number.replace(/[〔〕]/g, '.')));
    assert.equal(await department.locator('[data-testid="manual"]').count(), 0);

    // The office accepts the report: the escalation is closed.
    await office.goto(`${server.base}/escalations?status=open`);
    await Promise.all([office.waitForURL(/\/escalation\?id=/), office.locator('[data-testid="issued"] tr[data-target="ent-530102-demo"] td a').first().click()]);
    await office.waitForSelector('[data-testid="decide"]');
    await Promise.all([office.waitForURL(/done=decide/), office.click('[data-testid="decide"] button.primary')]);
    assert.equal(await office.getAttribute('[data-testid="document"]', 'data-status'), 'closed');

    // 公开: the public page (no login) shows the enterprise, then drops it when lifted.
    await visitor.goto(`${server.base}/public`);
    await visitor.waitForSelector('[data-testid="public-empty"]');
    await issueByHand(office, server.base, 'disclosure', '经告诫后零申报仍逾期未报，依照第七条予以公开。');
    await visitor.goto(`${server.base}/public`);
    await waitForHydration(visitor);
    assert.match(await visitor.textContent('[data-testid="disclosures"]'), /昆明华山化工有限公司/);
    await screenshot(visitor, 'public');
    await office.goto(`${server.base}/escalations?rung=disclosure`);
    await Promise.all([office.waitForURL(/\/escalation\?id=/), office.locator('[data-testid="issued"] tr[data-target="ent-530102-demo"] td a').first().click()]);
    await office.fill('#close_reason', '整改到位，经复查解除公开。');
    await Promise.all([office.waitForURL(/done=close/), office.click('[data-testid="close"] button[type="submit"]')]);
    await visitor.goto(`${server.base}/public`);
    await visitor.waitForSelector('[data-testid="public-empty"]');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
