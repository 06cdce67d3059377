// Hostile text in a real browser, JavaScript on: the enterprise types markup into a frame
// field, an explanation and a note, and submits; its department and county office open the
// filing, the queue, the history, the print view, the escalations and their documents; the
// public page shows a disclosure worded with the same text. No script of the text ever runs
// (no dialog), no element of it is made (no <img src=x>, no <svg onload>), the pages hydrate
// without errors, and the text is there to read, as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, waitForHydration, screenshot, DEMO_PASSWORD } from './harness.mjs';

const CLOCK = '2027-01-05T10:00:00+08:00';
const ENTERPRISE = 'ent-530102-demo';

const MARK = 'HXE2E';
const CORPUS = [
  '</textarea><img src=x onerror=alert(1)>',
  '</script><script>alert(2)</script>',
  '</style><svg onload=alert(3)>',
  '</title><img src=x onerror=alert(4)>',
  '<script>alert(5)</script>',
  '<img src=x onerror=alert(6)>',
  '"><svg onload=alert(7)>',
  "' onmouseover='alert(8)",
  'javascript:alert(9)',
  '\u202Egpj.exe',
  '\\ud800',
  '尚未落实，计划在下季度完成整改并复查。',
].join(' ');
const TEXT = `${MARK} ${CORPUS}`;
// A name holds at most 50 characters.
const NAME = `${MARK}</textarea><img src=x onerror=alert(10)>`;

/** A page that records every dialog, page error and console error. */
async function watchedPage(browser, faults) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.on('dialog', async (d) => {
    faults.push(`dialog on ${page.url()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => faults.push(`pageerror on ${page.url()}: ${e}`));
  page.on('console', (m) => {
    if (m.type() === 'error') faults.push(`console error on ${page.url()}: ${m.text()}`);
  });
  return page;
}

async function login(page, base, username) {
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', DEMO_PASSWORD);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type="submit"]')]);
}

/** A server function called from the page's own origin (its cookies), as a hydrated page does. */
async function call(page, base, endpoint, form) {
  const res = await page.request.post(`${base}/api/${endpoint}`, {
    form,
    headers: { Origin: base, Referer: `${base}/` },
  });
  const text = await res.text();
  assert.ok(res.status() < 500, `${endpoint}: ${res.status()} ${text}`);
  return { status: res.status(), text, json: (() => { try { return JSON.parse(text); } catch { return null; } })() };
}

/**
 * Opens a page, lets it hydrate and any injected handler fire, and checks: no element of the
 * corpus was made, and the marker is on the page as text (or in a field's value).
 */
async function visit(page, url, faults, { expectText = true } = {}) {
  const res = await page.goto(url);
  assert.ok(res.status() < 500, `${url}: ${res.status()}`);
  await waitForHydration(page);
  await page.waitForTimeout(300);
  const injected = await page.$$eval(
    'img[src="x"], svg[onload], [onerror], [onload]:not(body), [onmouseover], a[href^="javascript:"]',
    (els) => els.map((e) => e.outerHTML.slice(0, 120)),
  );
  for (const e of injected) faults.push(`markup made on ${url}: ${e}`);
  if (expectText) {
    const shown = await page.evaluate(() => {
      const values = [...document.querySelectorAll('input, textarea')].map((e) => e.value).join('\n');
      return `${document.body.innerText}\n${values}`;
    });
    if (!shown.includes(MARK)) faults.push(`${url} does not show the text`);
    else if (!shown.includes('<img src=x onerror=alert(') && !shown.includes('<svg onload=alert(')) {
      faults.push(`${url} shows the marker but not the markup as text`);
    }
  }
}

async function fillAndSubmit(page, base) {
  await page.goto(`${base}/filing`);
  await waitForHydration(page);
  await page.fill('#principal', NAME);
  await page.fill('#leader_in_charge', '钱明');
  await page.fill('#filled_by', '孙丽华');
  await page.fill('#reviewed_by', '李志强');
  await page.fill('#phone', '0871-63123456');
  const fields = await page.$$eval('input[type="radio"][value="done"]:not([disabled])', (els) => els.map((e) => e.name));
  assert.ok(fields.length > 10, 'the binding rows have answer buttons');
  for (const name of fields) {
    const field = name.slice('answers['.length, -1);
    if (field === 'r5_3') {
      await page.check(`input[name="${name}"][value="not_done"]`);
      await page.fill('#x5_3', TEXT);
    } else {
      await page.check(`input[name="${name}"][value="done"]`);
    }
  }
  await page.fill('#note5', TEXT);
  await Promise.all([page.waitForURL(/\/filing\/confirm/), page.click('button[value="review"]')]);
  await waitForHydration(page);
  await page.waitForTimeout(300);
  await Promise.all([page.waitForURL(/done=submitted/), page.click('[data-testid="confirm"] button[type="submit"]')]);
}

test('hostile text typed by an enterprise is shown as text to it and to its supervisors, and never runs', async () => {
  const server = await startServer({ clock: CLOCK });
  const browser = await launchBrowser();
  const faults = [];
  const base = server.base;
  try {
    // The enterprise types the corpus and submits.
    const qiye = await watchedPage(browser, faults);
    await login(qiye, base, 'qiye');
    await fillAndSubmit(qiye, base);
    await screenshot(qiye, 'hostile-submitted');
    for (const path of ['/filing?period=2026-Y', '/filing/print?period=2026-Y', '/history?period=2026-Y']) {
      await visit(qiye, `${base}${path}`, faults);
    }

    // Its department opens it, read-only, with every view; and returns it with the corpus.
    const dept = await watchedPage(browser, faults);
    await login(dept, base, 'wuhua-ajj');
    const unit = `unit=${ENTERPRISE}`;
    for (const path of [
      `/filing?period=2026-Y&${unit}`,
      `/filing/print?period=2026-Y&${unit}`,
      `/history?${unit}&period=2026-Y`,
      '/rollup?period=2026-Y&row=5.3',
    ]) {
      await visit(dept, `${base}${path}`, faults);
    }
    await visit(dept, `${base}/review?period=2026-Y`, faults, { expectText: false });
    const filing = await call(dept, base, 'filing', { period: '2026-Y', unit: ENTERPRISE });
    const filingId = filing.json?.record?.filing_id;
    assert.ok(filingId, `the department reads the filing: ${filing.text.slice(0, 200)}`);
    const returned = await call(dept, base, 'review_filing', { filing_id: filingId, decision: 'return', reason: TEXT });
    assert.ok([200, 422].includes(returned.status), `return: ${returned.status}`);
    await visit(qiye, `${base}/filing?period=2026-Y`, faults);
    await visit(dept, `${base}/history?${unit}&period=2026-Y`, faults);

    // The county office issues by hand with the corpus as reasons and measures; the
    // enterprise reads it in its inbox; the public page shows a disclosure.
    const county = await watchedPage(browser, faults);
    await login(county, base, 'wuhua');
    for (const rung of ['admonition', 'disclosure']) {
      const issued = await call(county, base, 'issue_manual', {
        target_unit_id: ENTERPRISE, rung, reasons: TEXT, measures: TEXT,
      });
      assert.equal(issued.status, 200, `issue ${rung}: ${issued.text.slice(0, 300)}`);
    }
    await call(county, base, 'record_accident', {
      unit_id: ENTERPRISE, occurred_on: '2027-01-03', description: TEXT,
    });
    // Lists: unit names and rungs, not the documents' wording; checked for markup and errors.
    await visit(county, `${base}/escalations`, faults, { expectText: false });
    await visit(county, `${base}/filing?period=2026-Y&${unit}`, faults);
    await visit(county, `${base}/brief?${unit}`, faults, { expectText: false });
    const page = await call(county, base, 'escalations', {});
    const ids = (page.json?.issued || []).map((e) => e.escalation_id);
    assert.ok(ids.length >= 2, 'the escalations are listed');
    for (const id of ids) {
      await visit(county, `${base}/escalation?id=${id}`, faults);
    }
    await visit(qiye, `${base}/inbox`, faults, { expectText: false });
    for (const id of ids) {
      await visit(qiye, `${base}/escalation?id=${id}`, faults);
    }
    // The enterprise reports on the admonition with the corpus; the office reads it.
    const admonition = (page.json?.issued || []).find((e) => e.rung === 'Admonition' || e.rung === 'admonition');
    if (admonition) {
      await call(qiye, base, 'acknowledge_escalation', { id: admonition.escalation_id });
      const reply = await call(qiye, base, 'respond_escalation', { id: admonition.escalation_id, body: TEXT });
      assert.ok([200, 422].includes(reply.status), `respond: ${reply.status}`);
      await visit(county, `${base}/escalation?id=${admonition.escalation_id}`, faults);
    }
    const anonymous = await watchedPage(browser, faults);
    await visit(anonymous, `${base}/public`, faults);
    await screenshot(anonymous, 'hostile-public');

    assert.deepEqual(faults, [], 'no dialog, no error, no markup made, the text shown');
  } finally {
    await browser.close();
    await server.stop();
  }
});
