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
    { at: 3600, type: 'endpoint-removed', pod: 'web-1', node: 'ingress' },
    { at: 3000, type: 'prestop-end', pod: 'web-1' },
    { at: 3000, type: 'sigterm', pod: 'web-1', detail: 'node server.js' },
    { at: 3200, type: 'exit', pod: 'web-1', exitCode: 0 },
    { at: 500, type: 'pod-created', pod: 'web-2' },
    { at: 900, type: 'ready', pod: 'web-2' },
    // web-3 never sees SIGTERM (a shell as PID 1): SIGKILL at the end of a 2 s grace period.
    { at: 0, type: 'pod-created', pod: 'web-3' },
    { at: 200, type: 'ready', pod: 'web-3' },
    { at: 1200, type: 'terminating', pod: 'web-3' },
    {
      at: 1200,
      type: 'sigterm-ignored',
      pod: 'web-3',
      detail: 'PID 1 (sh -c node server.js) has no SIGTERM handler',
    },
    { at: 1900, type: 'endpoint-removed', pod: 'web-3', node: 'node-1' },
    { at: 3200, type: 'sigkill', pod: 'web-3', detail: 'grace period over' },
    { at: 3200, type: 'exit', pod: 'web-3', exitCode: 137, signal: 'SIGKILL' },
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
  const thresholds = parseThresholds('errors>0,sigkill>0');
  assert.ok(Array.isArray(thresholds));
  const report = buildReport(
    { startedAt: '2026-11-24T00:00:00.000Z', durationMs: 4000, requests, events, dropped: 0 },
    {
      source: 'lab',
      workload: 'web <script>',
      scenario: 'rollout',
      replicas: 3,
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

    for (const width of [1400, 800]) {
      it(`at ${width} px wide: every lane, legend entry, SIGKILL mark and diagnosis on screen, nothing scrolls sideways`, async () => {
        const directory = mkdtempSync(join(tmpdir(), 'lameduck-html-'));
        const file = join(directory, 'lab.html');
        writeFileSync(file, sampleHtml());
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        await page.goto(`file://${file}`);
        await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 });
        const png = await page.screenshot({ fullPage: true, path: join(directory, `report-${width}.png`) });
        // A PNG's IHDR holds its width at byte 16: the full page is exactly as wide as the window.
        assert.equal(png.readUInt32BE(16), width, 'the page is no wider than the window');
        // Evaluated in the page (this package compiles without the DOM's types).
        const layout = (await page.evaluate(`({
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          boxes: [...document.querySelectorAll(
            '[data-lane], #lane-legend [data-legend], #legend [data-legend], .marker[data-type="sigkill"], .sigkill-label, #diagnosis li, .stale-window, #summary',
          )].map((node) => {
            const box = node.getBoundingClientRect();
            const name = node.getAttribute('data-lane') ?? node.getAttribute('data-legend') ??
              node.getAttribute('data-type') ?? node.getAttribute('data-cause') ?? node.getAttribute('class') ?? node.id;
            return { name, left: box.left, right: box.right, width: box.width };
          }),
        })`)) as {
          scrollWidth: number;
          innerWidth: number;
          boxes: { name: string; left: number; right: number; width: number }[];
        };
        assert.ok(
          layout.scrollWidth <= layout.innerWidth,
          `scrollWidth ${layout.scrollWidth} > ${layout.innerWidth}`,
        );
        const names = layout.boxes.map((b) => b.name);
        for (const expected of [
          'web-1',
          'web-2',
          'web-3',
          'lane-serving',
          'lane-prestop',
          'lane-draining',
          'routed-after-stop',
          'stale-window',
          'marker-sigterm',
          'marker-exit',
          'marker-sigkill',
          'marker-endpoint-removed',
          'marker-sigterm-ignored',
          'ok',
          'refused',
          'sigkill',
          'sigkill-label',
          'stale-endpoint',
          'sigterm-not-delivered',
          'summary',
        ]) {
          assert.ok(names.includes(expected), `${expected} is drawn (found ${names.join(', ')})`);
        }
        for (const box of layout.boxes) {
          assert.ok(box.width > 0, `${box.name} has a size`);
          assert.ok(
            box.left >= 0 && box.right <= width,
            `${box.name} is inside the window: ${box.left}-${box.right}`,
          );
        }
        const badge = page.locator('h1 .verdict');
        assert.equal(await badge.textContent(), 'FAIL');
        assert.match((await page.locator('h1 .crossed').textContent()) ?? '', /sigkill>0/);
        await page.close();
      });
    }

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
      assert.equal(await page.locator('.marker[data-type="endpoint-removed"]').count(), 3);
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
