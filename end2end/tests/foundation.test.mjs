// The foundation in a real browser: log in as the demo enterprise and see the home page,
// hydrated (client-side interaction works) and with JavaScript off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the demo enterprise logs in with JavaScript and sees its hydrated home page', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.base}/`);
  assert.match(page.url(), /\/login$/, 'a visitor is sent to the login page');
  await waitForHydration(page);

  // A client-side interaction: the toggle shows the password as typed.
  await page.fill('#password', 'secret');
  await page.click('[data-testid="toggle-password"]');
  await page.waitForSelector('#password[type="text"]', { timeout: 5000 });
  assert.equal(await page.inputValue('#password'), 'secret', 'hydrated: the toggle shows the password as typed');
  await page.click('[data-testid="toggle-password"]');
  await page.waitForSelector('#password[type="password"]', { timeout: 5000 });

  // Wrong password: the error appears next to the field without a page load.
  await page.fill('#username', 'qiye');
  await page.fill('#password', 'wrong-password');
  await page.click('button[type="submit"]');
  await page.waitForSelector('#password-error');
  assert.match(await page.textContent('#password-error'), /用户名或密码错误/);
  await screenshot(page, 'login-error');

  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${server.base}/`), page.click('button[type="submit"]')]);
  await page.waitForSelector('[data-testid="countdown"]');
  const who = await page.textContent('[data-testid="who"]');
  assert.match(who, /昆明华山化工有限公司/, 'the header names the unit');
  assert.match(who, /企业填报员/, 'the header names the role');
  const windowText = await page.textContent('[data-testid="window"]');
  assert.match(windowText, /当前不在申报期/);
  assert.match(windowText, /2026年度/);
  const first = await page.textContent('[data-testid="countdown"]');
  assert.match(first, /^37天14小时0分\d+秒$/);
  // Hydrated: the countdown ticks in the browser.
  await page.waitForFunction((t) => document.querySelector('[data-testid="countdown"]').textContent !== t, first, { timeout: 10000 });
  await screenshot(page, 'home-enterprise-1366');
  assert.deepEqual(errors, [], 'no script errors');

  await page.setViewportSize({ width: 375, height: 740 });
  await screenshot(page, 'home-enterprise-phone');
  await context.close();
});

test('with JavaScript off the same login works by plain form posts', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.fill('#username', 'qiye');
  await page.fill('#password', 'wrong-password');
  await Promise.all([page.waitForURL(/\/login\?flash=/), page.click('button[type="submit"]')]);
  assert.match(await page.textContent('#password-error'), /用户名或密码错误/, 'the error comes back next to the field');
  assert.equal(await page.inputValue('#username'), 'qiye', 'what was typed is kept');
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${server.base}/`), page.click('button[type="submit"]')]);
  assert.match(await page.textContent('[data-testid="who"]'), /昆明华山化工有限公司/);
  // Log out by the header's form.
  await Promise.all([page.waitForURL(/\/login$/), page.click('form.logout button')]);
  await context.close();
});

test('the administrator creates a user in the browser', async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await waitForHydration(page);
  await page.fill('#username', 'admin');
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${server.base}/`), page.click('button[type="submit"]')]);
  await page.goto(`${server.base}/admin/users`);
  await page.fill('#username', 'e2e-user');
  await page.fill('#display_name', '浏览器测试');
  await page.selectOption('#unit_id', 'ent-530102-demo');
  await page.selectOption('#role', 'enterprise_filer');
  await page.fill('input[name="password"]', 'short');
  await page.click('form.form button[type="submit"]');
  await page.waitForSelector('#password-error');
  assert.match(await page.textContent('#password-error'), /密码至少 8 位/);
  await page.fill('input[name="password"]', 'long-enough-1');
  await page.click('form.form button[type="submit"]');
  await page.waitForSelector('.form-ok');
  await page.waitForFunction(() => document.querySelector('[data-testid="user-table"]').textContent.includes('e2e-user'));
  await screenshot(page, 'admin-users');
  await context.close();
});
