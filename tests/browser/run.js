#!/usr/bin/env node
// Drives Debian's Chromium (/usr/bin/chromium, headless) through playwright-core for
// tests/sdk/test_browser.py. One plan (JSON in argv[2]) per run; prints one JSON object with
// what the pages showed. The script asserts nothing: the Python test does.
//
// Plans:
//   {"mode": "upload", "pageUrl": "http://127.0.0.1:<port>/page.html", "file": "<path>",
//    "flows": ["put", "post", "form"], "shotDir": "<dir>", "label": "cors"}
//     opens page.html (tests/browser), picks the file in each flow's file input, clicks its
//     submit button, waits for the flow's message and screenshots the page.
//   {"mode": "spa", "url": "http://<bucket>.cos-website.<region>.myqcloud.com:<port>/deep/link",
//    "shotDir": "<dir>", "label": "spa"}
//     opens a deep link of a single-page app on a website endpoint, follows an in-app link and
//     reloads it; reports each response's status and the rendered route.
//
// Environment: COSD_CHROMIUM (default /usr/bin/chromium). Every *.myqcloud.com name resolves
// to 127.0.0.1 (--host-resolver-rules), so the bucket's real host names reach the local cosd.

'use strict';

const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const FLOW_TIMEOUT_MS = 30000;

function shotPath(plan, name) {
  fs.mkdirSync(plan.shotDir, { recursive: true });
  return path.join(plan.shotDir, `${plan.label}-${name}.png`);
}

async function launch() {
  return chromium.launch({
    executablePath: process.env.COSD_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--host-resolver-rules=MAP *.myqcloud.com 127.0.0.1',
      '--no-proxy-server',
      '--disable-dev-shm-usage',
    ],
  });
}

// Console messages and the network outcome of every request the page makes.
function record(page, out) {
  out.console = [];
  out.network = [];
  page.on('console', (m) => out.console.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => out.console.push({ type: 'pageerror', text: String(e) }));
  page.on('requestfinished', async (req) => {
    const resp = await req.response().catch(() => null);
    out.network.push({ method: req.method(), url: req.url(), status: resp ? resp.status() : null });
  });
  page.on('requestfailed', (req) => {
    const f = req.failure();
    out.network.push({ method: req.method(), url: req.url(), failure: f ? f.errorText : 'failed' });
  });
}

async function uploadFlow(page, plan, flow) {
  const started = Date.now();
  const res = { flow };
  try {
    await page.setInputFiles(`#${flow}-file`, plan.file);
    await page.click(`#${flow}-submit`);
    await page.waitForSelector(`#${flow}-msg[data-done="1"]`, { timeout: FLOW_TIMEOUT_MS });
  } catch (e) {
    res.error = String(e && e.message ? e.message : e);
  }
  res.text = await page.innerText(`#${flow}-msg`).catch(() => null);
  if (flow === 'form') {
    res.redirectText = await page.innerText('#form-redirect').catch(() => null);
    // What COS answered inside the form's target frame: the page itself can read it only when
    // it is the same-origin redirect; the driver reads it whatever its origin.
    const frame = page.frame({ name: 'submitTarget' });
    if (frame) {
      res.frameUrl = frame.url();
      // (an XML error document has no body: its text is the root element's)
      res.frameText = await frame
        .evaluate(() => (document.body ? document.body.innerText : document.documentElement ? document.documentElement.textContent : ''))
        .catch((e) => `<unreadable: ${e.message}>`);
      res.frameContentType = await frame.evaluate(() => document.contentType).catch(() => null);
    }
  }
  res.elapsedMs = Date.now() - started;
  res.screenshot = shotPath(plan, flow);
  await page.screenshot({ path: res.screenshot, fullPage: true });
  return res;
}

async function runUpload(browser, plan) {
  const out = { mode: 'upload', label: plan.label, flows: {} };
  const context = await browser.newContext();
  const page = await context.newPage();
  record(page, out);
  const resp = await page.goto(plan.pageUrl);
  out.pageStatus = resp ? resp.status() : null;
  for (const flow of plan.flows || ['put', 'post', 'form']) {
    out.flows[flow] = await uploadFlow(page, plan, flow);
  }
  out.pageText = await page.innerText('body');
  await context.close();
  return out;
}

async function visit(page, plan, name, go) {
  const started = Date.now();
  const res = { step: name };
  try {
    const resp = await go();
    res.status = resp ? resp.status() : null;
    res.url = page.url();
    res.contentType = resp ? (await resp.allHeaders())['content-type'] || null : null;
    await page.waitForFunction(() => {
      const r = document.getElementById('route');
      return r && r.innerText.startsWith('Route: ');
    }, null, { timeout: 10000 });
  } catch (e) {
    res.error = String(e && e.message ? e.message : e);
  }
  res.url = page.url();
  res.title = await page.title().catch(() => null);
  res.text = await page.innerText('body').catch(() => null);
  res.elapsedMs = Date.now() - started;
  res.screenshot = shotPath(plan, name);
  await page.screenshot({ path: res.screenshot, fullPage: true });
  return res;
}

async function runSpa(browser, plan) {
  const out = { mode: 'spa', label: plan.label, steps: [] };
  const context = await browser.newContext();
  const page = await context.newPage();
  record(page, out);
  // 1. the deep link, typed into the address bar
  out.steps.push(await visit(page, plan, 'deep-link', () => page.goto(plan.url)));
  // 2. an in-app link (pushState: no request), then a reload of that route
  const about = await visit(page, plan, 'in-app', async () => {
    await page.click('a[href="/about"]');
    return null;
  });
  out.steps.push(about);
  out.steps.push(await visit(page, plan, 'reload', () => page.reload()));
  await context.close();
  return out;
}

async function main() {
  const plan = JSON.parse(process.argv[2]);
  const started = Date.now();
  const browser = await launch();
  let out;
  try {
    out = { browserVersion: browser.version() };
    if (plan.mode === 'upload') Object.assign(out, await runUpload(browser, plan));
    else if (plan.mode === 'spa') Object.assign(out, await runSpa(browser, plan));
    else throw new Error(`unknown mode ${plan.mode}`);
  } finally {
    await browser.close();
  }
  out.elapsedMs = Date.now() - started;
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
