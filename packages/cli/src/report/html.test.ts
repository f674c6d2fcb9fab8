import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { LifecycleEvent, RequestRecord } from '../recording/records.js';
import { buildReport } from './build.js';
import { renderReportHtml } from './html.js';
import { parseThresholds } from './thresholds.js';

/** Debian's chromium; CHROMIUM_PATH overrides. CI installs it, so there the test never skips. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserMissing = existsSync(chromiumPath)
  ? false
  : `no Chromium at ${chromiumPath} (scripts/apt-install.sh chromium:chromium installs Debian's, or set CHROMIUM_PATH)`;
// CI installs the browser: a missing one there is a broken CI, not a reason to skip.
if (browserMissing && process.env.CI === 'true') throw new Error(browserMissing);

function sampleHtml(): string {
  const events: LifecycleEvent[] = [
    { at: 0, type: 'pod-created', pod: 'web-1' },
    { at: 300, type: 'ready', pod: 'web-1' },
    { at: 1000, type: 'terminating', pod: 'web-1' },
    { at: 1000, type: 'prestop-start', pod: 'web-1' },
    { at: 1800, type: 'endpoint-removed', pod: 'web-1', node: 'node-1' },
    { at: 2100, type: 'endpoint-removed', pod: 'web-1', node: 'ingress' },
    { at: 3000, type: 'prestop-end', pod: 'web-1' },
    { at: 3000, type: 'sigterm', pod: 'web-1', detail: 'node server.js' },
    { at: 3200, type: 'exit', pod: 'web-1', exitCode: 0 },
    { at: 500, type: 'pod-created', pod: 'web-2' },
    { at: 900, type: 'ready', pod: 'web-2' },
  ];
  const requests: RequestRecord[] = Array.from({ length: 400 }, (_, i) => ({
    id: i,
    intendedAt: i * 10,
    startedAt: i * 10,
    endedAt: i * 10 + 2,
    status: i % 97 === 0 ? undefined : 200,
    errorClass: i % 97 === 0 ? ('refused' as const) : undefined,
    plane: 'kube-proxy',
    connection: i,
    reused: false,
    localPort: 40000 + i,
    replica: 'web-1',
  }));
  const thresholds = parseThresholds('errors>0');
  assert.ok(Array.isArray(thresholds));
  const report = buildReport(
    { startedAt: '2026-11-24T00:00:00.000Z', durationMs: 4000, requests, events, dropped: 0 },
    {
      source: 'lab',
      workload: 'web <script>',
      scenario: 'rollout',
      replicas: 2,
      graceSeconds: 30,
      preStop: 'sleep 2s',
      preStopSeconds: 2,
      planes: ['kube-proxy'],
      load: '100 req/s',
      keepAlive: true,
    },
    thresholds,
  );
  return renderReportHtml(report);
}

describe('HTML report', () => {
  it('is one self-contained file: no external script, style, image or font', () => {
    const html = sampleHtml();
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    assert.match(html, /web &lt;script&gt;/, 'names are escaped');
  });

  describe('in headless Chromium', { skip: browserMissing }, () => {
    let browser: Browser;
    before(async () => {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
    });
    after(async () => {
      await browser?.close();
    });

    it('renders the timeline, the lanes and the events, with details on hover, without touching the network', async () => {
      const file = join(mkdtempSync(join(tmpdir(), 'lameduck-html-')), 'lab.html');
      writeFileSync(file, sampleHtml());
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`file://${file}`);
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, [`file://${file}`]);
      assert.ok((await page.locator('rect.bar[data-outcome="ok"]').count()) > 30);
      assert.equal(await page.locator('rect.bar[data-outcome="refused"]').count(), 5);
      assert.equal(await page.locator('.marker[data-type="sigterm"]').count(), 1);
      assert.equal(await page.locator('.marker[data-type="endpoint-removed"]').count(), 2);
      assert.equal(await page.locator('rect.lane-prestop').count(), 1);
      assert.equal(await page.locator('polygon.latency-band').count(), 1);
      await page.locator('.marker[data-type="sigterm"]').hover();
      const tooltip = page.locator('#tooltip');
      assert.equal(await tooltip.isVisible(), true);
      assert.match((await tooltip.textContent()) ?? '', /sigterm web-1\nat 3\.00 s\nnode server\.js/);
      assert.match(
        (await page.locator('#summary').textContent()) ?? '',
        /lameduck lab: web <script>, rollout {2}FAIL/,
      );
      await page.close();
    });
  });
});
