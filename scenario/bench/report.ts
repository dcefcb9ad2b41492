/**
 * Benchmark of the HTML report (figures, not a test): for 12 and 24 months of 30-minute data, the
 * time to write the report (read the store, build, render, write), the file's size, and the time
 * to the first full render in headless Chromium (every chart's 'finished' event, measured by the
 * page itself from navigation start). Aims: under 1 s, under 3 MB, under 2 s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { simulatedReadings } from '../../simulators/enedis.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { StateStore } from '../../plugin/store/state.js';
import { addDays, eachDay } from '../../plugin/time/local.js';
import { writeReportFromState } from '../../plugin/runner/report.js';
import { CHROMIUM, launchHeadlessChromium } from './chromium.js';

const PDL = '00000000000001';
const TZ = 'Europe/Paris';
const LAST_DAY = '2024-12-31';

/** Stores `months` of simulated daily consumption, max power and 30-minute load curve up to LAST_DAY. */
async function fillStore(stateDir: string, months: number): Promise<number> {
  const store = new ReadingsStore(await StateStore.open(stateDir));
  const days = eachDay(addDays(LAST_DAY, -Math.round(months * 30.44) + 1), addDays(LAST_DAY, 1));
  const { daily, maxPower: max, curve } = simulatedReadings(PDL, days, TZ);
  const now = new Date();
  const outcomes = (points: number) => days.map((day) => ({ day, status: 'complete' as const, points }));
  await store.put(PDL, 'daily_consumption', daily, outcomes(1), LAST_DAY, now);
  await store.put(PDL, 'max_power', max, outcomes(1), LAST_DAY, now);
  await store.put(PDL, 'load_curve', curve, [], LAST_DAY, now);
  return curve.length;
}

/** Milliseconds from navigation start to the page's "every chart drawn" mark, in a fresh browser. */
async function renderMs(file: string): Promise<number | string> {
  if (!fs.existsSync(CHROMIUM)) return `n/a (${CHROMIUM} missing)`;
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-chromium-'));
  const context = await launchHeadlessChromium(userDataDir, { width: 1280, height: 900 });
  try {
    const page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-rendered="true"]', { state: 'attached', timeout: 60_000 });
    return Math.round(await page.evaluate(() => (window as unknown as { __reportRenderedMs: number }).__reportRenderedMs));
  } finally {
    await context.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

export async function benchReport(): Promise<Record<string, number | string>> {
  const figures: Record<string, number | string> = {};
  for (const months of [12, 24]) {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-bench-report-'));
    try {
      const points = await fillStore(stateDir, months);
      const out = path.join(stateDir, 'report.html');
      const t0 = performance.now();
      // --since makes the 24-month case cover all of it (the default range is 12 months).
      const since = addDays(LAST_DAY, -Math.round(months * 30.44) + 1);
      const written = await writeReportFromState({ stateDir, tz: TZ, usagePoint: PDL, since, until: LAST_DAY, out, now: new Date() });
      const writeMs = performance.now() - t0;
      figures[`${months} months: load-curve points`] = points;
      figures[`${months} months: write the report (s)`] = +(writeMs / 1000).toFixed(2);
      figures[`${months} months: file size (MB)`] = +(written.bytes / 2 ** 20).toFixed(2);
      // The median of three fresh browsers: one render is at the mercy of whatever else the machine does.
      const renders: Array<number | string> = [];
      for (let i = 0; i < 3; i++) renders.push(await renderMs(out));
      const numbers = renders.filter((r): r is number => typeof r === 'number').sort((a, b) => a - b);
      figures[`${months} months: first full render in Chromium, median of 3 (s)`] = numbers.length
        ? +(numbers[1]! / 1000).toFixed(2)
        : renders[0]!;
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }
  return figures;
}
