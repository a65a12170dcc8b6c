import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emulatorPerFile, httpTarget } from '../../support/emulator.js';
import { runPipeline, type RunResult } from '../../../src/index.js';
import { demoFolder } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('report.html: a self-contained run report, rendered by a real headless Chromium', () => {
  const fx = emulatorPerFile(undefined, {}, 'never');
  let dir: string;
  let result: RunResult;
  let browser: Browser;

  beforeAll(async () => {
    // Not skipped when missing: .ci/run installs it; a machine without it must say so, loudly.
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it on CI)`);
    for (let id = 1; id <= 20; id++) fx.emu.store.seedUsergroup({ id, name: `G${id}` });
    // Two 503s with Retry-After 0: retries to chart, at no cost in time.
    fx.emu.setFaults({ latencyMs: 20, failNext: { count: 2, status: 503, retryAfter: 0 } });
    dir = await demoFolder(1000);
    result = await runPipeline({
      pipeline: join(dir, 'demo-users.yaml'),
      target: httpTarget(fx.emu, 'emu'),
      out: join(dir, 'out'),
      cwd: dir,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('is written 0600 next to the other run files, with nothing fetched from a network', async () => {
    const path = join(result.outDir, 'report.html');
    expect(((await stat(path)).mode & 0o777).toString(8)).toBe('600');
    const html = await readFile(path, 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|url\(|https?:\/\//i);
    expect(html).toContain("default-src 'none'");
  });

  it('renders the throughput, rejects, retries and latency in Chromium', async () => {
    expect(result.summary.counts.rejected).toMatchObject({ map: 1, validate: 2, api: 1 });
    expect(result.summary.retries).toBe(2);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const failed: string[] = [];
    page.on('requestfailed', (r) => failed.push(r.url()));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) failed.push(r.url());
    });
    await page.goto(pathToFileURL(join(result.outDir, 'report.html')).href);

    await expect(page.locator('h1').innerText()).resolves.toMatch(/demo-users\s+completed/);
    // Throughput: the three rate lines, each with points along the run.
    const lines = page.locator('#throughput-chart polyline.series');
    expect(await lines.count()).toBe(3);
    const readPoints = (await lines.first().getAttribute('points'))!.trim().split(' ');
    expect(readPoints.length).toBeGreaterThanOrEqual(2);
    // Rejects: a bar per stage, and a row per kind with its first example.
    expect(await page.locator('#rejects-by-stage rect.bar').count()).toBe(4);
    const rows = page.locator('#reject-reasons tbody tr');
    expect(await rows.count()).toBe(4);
    const table = await page.locator('#reject-reasons').innerText();
    expect(table).toMatch(/map\s+1\s+dateOfBirth: "…" is not a real date/);
    expect(table).toMatch(/users\.csv:138/);
    expect(table).toMatch(/Parent usergroup with id \[n\] not found/);
    // Retries and latency: the two 503s and a histogram holding every request.
    expect(await page.locator('#retry-reasons tbody tr').count()).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#retry-reasons').innerText()).toMatch(/503/);
    const bars = page.locator('#latency-histogram rect.bar');
    expect(await bars.count()).toBe(11);
    const heights = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
    expect(heights.some((h) => h > 0)).toBe(true);
    expect(await page.locator('body').innerText()).toMatch(/503 × 2/);
    // Laid out, not just present: the charts have a real size on the page.
    const box = await page.locator('#throughput-chart svg').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(failed).toEqual([]);
    await page.screenshot({ path: join(dir, 'report.png'), fullPage: true });
    process.env.REPORT_SCREENSHOT = join(dir, 'report.png');
    await page.close();
  });
});
