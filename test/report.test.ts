/**
 * The HTML report in a real browser (Debian's chromium, headless, driven by playwright-core): the
 * page of a known simulator store opens from disk with no request, no console error, every chart
 * drawn, both DST days right in the heat map, and text summaries equal to figures recomputed here
 * from the store. Bad input gives one line, the right exit code, and no file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport, writeReportFile, type ReportModel, type ReportTariffInput } from '../plugin/report/index.js';
import type { Reading, ReadingKind } from '../plugin/readings.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { computeTariff } from '../plugin/runner/tariff.js';
import { shiftedSeasonDays, startTempoSimulator } from '../simulators/tempo.js';
import { launchChromium } from './support/browser.js';
import { harness, issuedSecrets, PDL, ROOT, runCli, tempDir, type Harness } from './support/core.js';
import { TEMPO_PRICES } from './support/prices.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const NOW = '2024-11-05T10:00:00+01:00';
const SINCE = '2024-03-25';
const UNTIL = '2024-11-04';
const KINDS: ReadingKind[] = ['daily_consumption', 'max_power', 'load_curve', 'daily_production'];

let h: Harness;
let hourly: Harness;
let context: BrowserContext;
let userDataDir: string;
const work = tempDir('jeelinky-report-test-');

async function launch(): Promise<BrowserContext> {
  const launched = await launchChromium({ width: 1280, height: 900 }, 'the report tests');
  userDataDir = launched.userDataDir;
  return launched.context;
}

async function fill(sim: Parameters<typeof harness>[1]): Promise<Harness> {
  const x = await harness(NOW, sim, { kinds: KINDS });
  await x.pairNow();
  const r = await x.run({ since: SINCE });
  expect(r.exitCode).toBe(0);
  return x;
}

beforeAll(async () => {
  context = await launch();
  h = await fill({
    meters: [{ usagePoint: PDL, production: true, missingDays: ['2024-06-10', '2024-06-11'], missingCurvePoints: ['2024-07-01 13:30:00'] }],
  });
  hourly = await fill({ meters: [{ usagePoint: PDL, intervalMinutes: 60 }] });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await h?.close();
  await hourly?.close();
  fs.rmSync(work, { recursive: true, force: true });
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  /** URLs of every request other than the file itself. */
  outside: string[];
  fileRequests: number;
  model: ReportModel;
}

/** Opens the file with every request intercepted, and waits until every chart says it is drawn. */
async function open(file: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Opened> {
  const page = await context.newPage();
  await page.emulateMedia({ colorScheme });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const outside: string[] = [];
  let fileRequests = 0;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.route('**/*', (route) => {
    if (route.request().url() === url) {
      fileRequests++;
      return route.continue();
    }
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  await page.waitForSelector('body[data-rendered="true"]', { state: 'attached', timeout: 30_000 });
  const model = JSON.parse((await page.textContent('#report-model'))!) as ReportModel;
  return { page, errors, outside, fileRequests, model };
}

/** Drawn pixels (alpha > 0) in each chart's canvas, by chart id. */
async function drawnPixels(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const out: Record<string, number> = {};
    for (const el of Array.from(document.querySelectorAll<HTMLElement>('.chart'))) {
      let n = 0;
      for (const canvas of Array.from(el.querySelectorAll('canvas'))) {
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      }
      out[el.id] = n;
    }
    return out;
  });
}

/** Cells per row of the heat map as ECharts holds them in its option (not the embedded model). */
async function chartCellsPerDay(page: Page): Promise<Record<string, number>> {
  return page.evaluate(() => {
    const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } } };
    const option = w.echarts.getInstanceByDom(document.getElementById('chart-heat')!).getOption();
    const days: string[] = option.yAxis[0].data;
    const out: Record<string, number> = {};
    // The heat map series, and the repeated autumn hour's split cells.
    for (const series of option.series)
      for (const [, y] of series.data as Array<[number, number, number]>) out[days[y]!] = (out[days[y]!] ?? 0) + 1;
    return out;
  });
}

/** Per day, the columns that hold a drawn cell in the chart's option (heat map series and split cells). */
async function chartColumnsOf(page: Page, day: string): Promise<number[]> {
  return page.evaluate((day) => {
    const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } } };
    const option = w.echarts.getInstanceByDom(document.getElementById('chart-heat')!).getOption();
    const y = (option.yAxis[0].data as string[]).indexOf(day);
    const xs = new Set<number>();
    for (const series of option.series) for (const [x, row] of series.data as Array<[number, number]>) if (row === y) xs.add(x);
    return [...xs].sort((a, b) => a - b);
  }, day);
}

/**
 * The rectangles ECharts drew for the repeated hour's cells, with the cell they belong to: where
 * each one sits inside its cell (upper or lower half), in pixels.
 */
async function drawnRepeatedCells(page: Page): Promise<
  Array<{
    x: number;
    y: number;
    pass: number;
    top: number;
    bottom: number;
    left: number;
    right: number;
    cellTop: number;
    cellBottom: number;
    fill: string;
    watts: number;
  }>
> {
  return page.evaluate(() => {
    const w = window as unknown as { echarts: { getInstanceByDom(el: Element): any } };
    const chart = w.echarts.getInstanceByDom(document.getElementById('chart-heat')!);
    const data = chart.getModel().getSeriesByIndex(1).getData();
    const out = [];
    for (let i = 0; i < data.count(); i++) {
      const [x, y, , pass] = data.getValues(i) as number[];
      const el = data.getItemGraphicEl(i);
      const shape = el.shape;
      const [, cy] = chart.convertToPixel({ seriesIndex: 0 }, [x, y]);
      const [, nextCy] = chart.convertToPixel({ seriesIndex: 0 }, [x, y! + 1]);
      const h = Math.abs(nextCy - cy);
      out.push({
        x: x!,
        y: y!,
        pass: pass!,
        top: shape.y,
        bottom: shape.y + shape.height,
        left: shape.x,
        right: shape.x + shape.width,
        cellTop: cy - h / 2,
        cellBottom: cy + h / 2,
        fill: String(el.style.fill),
        watts: data.getValues(i)[2] as number,
      });
    }
    return out;
  });
}

async function stored(x: Harness, kind: ReadingKind): Promise<Reading[]> {
  return new ReadingsStore(await StateStore.open(x.config.stateDir)).readings(PDL, kind, SINCE, '2024-11-05');
}

const summary = (page: Page, id: string) => page.textContent(`[data-summary="${id}"]`).then((t) => t!.trim());

describe('report of a known simulator store, in headless chromium', () => {
  it('opens offline: no request, no console error, every chart drawn, DST days right, summaries equal the store', async () => {
    const out = path.join(work, 'report.html');
    const cli = await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out, '--json']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const json = JSON.parse(cli.stdout);
    expect(json).toEqual({ path: out, days: 225, bytes: fs.statSync(out).size });

    const html = fs.readFileSync(out, 'utf8');
    // No secret and no PDL in clear, nothing to fetch from anywhere.
    expect(html).not.toContain(PDL);
    for (const secret of issuedSecrets(h.sim)) expect(html).not.toContain(secret);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|@import|@font-face/i);

    const { page, errors, outside, fileRequests, model } = await open(out);
    expect(errors).toEqual([]);
    expect(fileRequests).toBe(1);
    expect(outside).toEqual([]);

    // Every chart is drawn.
    const pixels = await drawnPixels(page);
    expect(Object.keys(pixels).sort()).toEqual(['chart-daily', 'chart-gaps', 'chart-heat', 'chart-maxpower']);
    for (const [id, n] of Object.entries(pixels)) expect(n, id).toBeGreaterThan(5000);

    // The heat map: 46 and 50 half-hours on the DST days, 48 otherwise, in the model and in the chart.
    const curve = await stored(h, 'load_curve');
    const perDay = new Map<string, number>();
    for (const r of curve) perDay.set(r.day, (perDay.get(r.day) ?? 0) + 1);
    expect(perDay.get('2024-03-31')).toBe(46);
    expect(perDay.get('2024-10-27')).toBe(50);
    const inChart = await chartCellsPerDay(page);
    for (const [day, n] of [
      ['2024-03-31', 46],
      ['2024-10-27', 50],
      ['2024-05-15', 48],
      ['2024-07-01', 47],
    ] as const) {
      expect(model.heat!.cellsPerDay[day], day).toBe(n);
      expect(inChart[day], day).toBe(n);
    }
    expect(inChart['2024-06-10']).toBeUndefined(); // a missing day is an empty row, not zeros
    expect(Object.values(inChart).reduce((a, b) => a + b, 0)).toBe(curve.length);
    // The repeated autumn hour shows on its own day, and no column is added for it: every other day
    // fills the same 48 columns, with no empty band across the chart.
    expect(model.heat!.columns).toHaveLength(48);
    expect(model.heat!.columns.every((c, i) => c === `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`)).toBe(true);
    const all48 = Array.from({ length: 48 }, (_, i) => i);
    for (const day of ['2024-05-15', '2024-10-26', '2024-10-28', '2024-10-27']) expect(await chartColumnsOf(page, day), day).toEqual(all48);
    const autumnRow = model.days.indexOf('2024-10-27');
    expect(model.heat!.repeated.map(([x, y, , pass]) => [x, y, pass]).sort()).toEqual(
      [
        [4, autumnRow, 1],
        [4, autumnRow, 2],
        [5, autumnRow, 1],
        [5, autumnRow, 2],
      ].sort(),
    );
    // Each pass of 02:00 and 02:30 on 27 October: the first in the upper half of its cell, the second in the lower half.
    const split = await drawnRepeatedCells(page);
    expect(split).toHaveLength(4);
    for (const c of split) {
      const mid = (c.cellTop + c.cellBottom) / 2;
      expect(c.bottom - c.top).toBeCloseTo((c.cellBottom - c.cellTop) / 2, 1);
      if (c.pass === 1) expect([c.top, c.bottom]).toEqual([expect.closeTo(c.cellTop, 1), expect.closeTo(mid, 1)]);
      else expect([c.top, c.bottom]).toEqual([expect.closeTo(mid, 1), expect.closeTo(c.cellBottom, 1)]);
    }
    // Coloured by the watts scale (visualMap), not by the series' own palette colour: a cell whose
    // two passes differ in power shows two colours.
    const palette = await page.evaluate(() => {
      const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } } };
      return (w.echarts.getInstanceByDom(document.getElementById('chart-heat')!).getOption().color as string[]).map((c) => c.toLowerCase());
    });
    for (const c of split) expect(palette).not.toContain(c.fill.toLowerCase());
    for (const x of [4, 5]) {
      const [a, b] = [1, 2].map((pass) => split.find((c) => c.x === x && c.pass === pass)!);
      if (a!.watts !== b!.watts) expect(a!.fill).not.toBe(b!.fill);
    }
    expect(await page.textContent('#chart-heat + .hint')).toBe(
      'On 2024-10-27 clocks go back: the hour from 02:00 is lived twice; its cells are split, the first pass in the upper half, the second in the lower half.',
    );

    // Header and summaries, recomputed from the store.
    const daily = await stored(h, 'daily_consumption');
    const totalKwh = daily.reduce((a, r) => a + r.value, 0) / 1000;
    expect(await page.textContent('[data-field="total"]')).toBe(`${totalKwh.toFixed(1)} kWh`);
    expect(await page.textContent('[data-field="pdl"]')).toBe('••••••••••0001');
    expect(await page.textContent('[data-field="range"]')).toBe(`${SINCE} to ${UNTIL} (225 days, Europe/Paris)`);
    const max = daily.reduce((a, r) => (r.value > a.value ? r : a));
    const min = daily.reduce((a, r) => (r.value < a.value ? r : a));
    const production = (await stored(h, 'daily_production')).reduce((a, r) => a + r.value, 0) / 1000;
    expect(await summary(page, 'daily')).toBe(
      `Total ${totalKwh.toFixed(1)} kWh over ${daily.length} days with data (mean ${(totalKwh / daily.length).toFixed(2)} kWh a day); ` +
        `highest ${(max.value / 1000).toFixed(2)} kWh on ${max.day}, lowest ${(min.value / 1000).toFixed(2)} kWh on ${min.day}. ` +
        `2 days without a value. Production ${production.toFixed(1)} kWh over ${daily.length} days.`,
    );
    const peak = curve.reduce((a, r) => (r.value > a.value ? r : a));
    const meanW = curve.reduce((a, r) => a + r.value, 0) / curve.length;
    expect(await summary(page, 'heat')).toBe(
      `${curve.length} intervals of 30 minutes over ${perDay.size} days; peak ${peak.value} W on ${peak.day} at ${peak.start.slice(11, 16)}; ` +
        `mean ${Math.round(meanW)} W. Daylight-saving days: 2024-03-31 (23 h) has 46 intervals, 2024-10-27 (25 h) has 50 intervals.`,
    );
    const powers = await stored(h, 'max_power');
    const top = powers.reduce((a, r) => (r.value > a.value ? r : a));
    expect(await summary(page, 'maxpower')).toBe(
      `Highest ${top.value} VA on ${top.day} at ${top.at!.slice(11, 16)}; mean daily maximum ${Math.round(powers.reduce((a, r) => a + r.value, 0) / powers.length)} VA over ${powers.length} days.`,
    );
    expect(await summary(page, 'gaps')).toBe(
      'daily consumption: 2 days missing (2024-06-10 to 2024-06-11); daily max power: 2 days missing (2024-06-10 to 2024-06-11); ' +
        'consumption load curve: 2 days missing (2024-06-10 to 2024-06-11), 1 day incomplete (2024-07-01); ' +
        'daily production: 2 days missing (2024-06-10 to 2024-06-11); production load curve: nothing stored in this range.',
    );
    // Without a cached contract or tariffs, the page says how to get them.
    expect(await summary(page, 'tariff')).toMatch(/run "jeelinky tariff" once .*JEELINKY_OFFPEAK_HOURS.*JEELINKY_PRICE_HC/);
    expect(await page.textContent('#chart-maxpower + .hint')).toMatch(/Subscribed power not known: run "jeelinky tariff" once/);

    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
  });

  it('follows the system theme: dark colours under prefers-color-scheme: dark, charts still drawn', async () => {
    const out = path.join(work, 'dark.html');
    const cli = await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out]);
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim()).toBe(out);
    const light = await open(out, 'light');
    const dark = await open(out, 'dark');
    const bg = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(await bg(light.page)).toBe('rgb(255, 255, 255)');
    expect(await bg(dark.page)).toBe('rgb(18, 20, 23)');
    // The charts' text colour follows too (ECharts draws it on the canvas, so read the option).
    const axisColor = (p: Page) =>
      p.evaluate(() => {
        const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } } };
        return w.echarts.getInstanceByDom(document.getElementById('chart-daily')!).getOption().xAxis[0].axisLabel.color as string;
      });
    expect(await axisColor(light.page)).toBe('#1a1a1a');
    expect(await axisColor(dark.page)).toBe('#e8e8e8');
    expect(dark.errors).toEqual([]);
    for (const n of Object.values(await drawnPixels(dark.page))) expect(n).toBeGreaterThan(5000);
    await dark.page.screenshot({ path: path.join(ARTIFACTS, 'report-dark.png'), fullPage: true });
    await light.page.close();
    await dark.page.close();
  });

  it('hourly meter: 23 and 25 cells on the DST days', async () => {
    const out = path.join(work, 'hourly.html');
    const cli = await runCli(['report', '--state-dir', hourly.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out]);
    expect(cli.code).toBe(0);
    const { page, errors, outside, model } = await open(out);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const inChart = await chartCellsPerDay(page);
    for (const [day, n] of [
      ['2024-03-31', 23],
      ['2024-10-27', 25],
      ['2024-05-15', 24],
    ] as const) {
      expect(model.heat!.cellsPerDay[day], day).toBe(n);
      expect(inChart[day], day).toBe(n);
    }
    expect(model.heat!.intervalMinutes).toBe(60);
    expect(model.heat!.columns).toHaveLength(24);
    expect(model.heat!.columns[2]).toBe('02:00');
    expect(model.heat!.repeated.map(([x, , , pass]) => [x, pass]).sort()).toEqual([
      [2, 1],
      [2, 2],
    ]);
    expect(await chartColumnsOf(page, '2024-05-15')).toEqual(Array.from({ length: 24 }, (_, i) => i));
    await page.close();
  });

  it('default range: the last 12 months the store holds, starting at its first day', async () => {
    const store = new ReadingsStore(await StateStore.open(h.config.stateDir));
    const { model } = await buildReport(store, { usagePoint: PDL, tz: 'Europe/Paris', now: new Date(NOW), today: '2024-11-05' });
    expect(model.from).toBe(SINCE);
    expect(model.until).toBe(UNTIL);
    const { model: capped } = await buildReport(store, {
      usagePoint: PDL,
      tz: 'Europe/Paris',
      now: new Date(NOW),
      today: '2024-11-05',
      until: '2025-06-30',
    });
    expect(capped.from).toBe('2024-07-01'); // 12 months before --until
    expect(capped.until).toBe('2025-06-30');
  });

  it('with contract and tariffs: subscribed power line, HP/HC per day and month, cost and plan comparison drawn', async () => {
    const store = new ReadingsStore(await StateStore.open(h.config.stateDir));
    const daily = await stored(h, 'daily_consumption');
    // A hand-made split (a third off-peak) and prices, as the tariff module would give them.
    const days = daily.map((r) => ({ day: r.day, hpWh: Math.round((r.value * 2) / 3), hcWh: r.value - Math.round((r.value * 2) / 3) }));
    const monthsMap = new Map<string, { month: string; hpWh: number; hcWh: number; cost: number }>();
    for (const d of days) {
      const m = monthsMap.get(d.day.slice(0, 7)) ?? { month: d.day.slice(0, 7), hpWh: 0, hcWh: 0, cost: 0 };
      m.hpWh += d.hpWh;
      m.hcWh += d.hcWh;
      m.cost = Math.round(((m.hpWh / 1000) * 0.27 + (m.hcWh / 1000) * 0.2) * 100) / 100;
      monthsMap.set(m.month, m);
    }
    const months = [...monthsMap.values()];
    const totalCost = months.reduce((a, m) => a + m.cost, 0);
    const tariff: ReportTariffInput = {
      currency: '€',
      days,
      months,
      comparison: {
        period: '2024-03-25 to 2024-11-04',
        current: 'HP/HC',
        plans: [
          { plan: 'HP/HC', cost: totalCost },
          { plan: 'BASE', cost: totalCost - 12.5 },
        ],
      },
    };
    const { html, model } = await buildReport(store, {
      usagePoint: PDL,
      tz: 'Europe/Paris',
      now: new Date(NOW),
      today: '2024-11-05',
      subscribedPowerVa: 6000,
      tariff,
    });
    const out = writeReportFile(path.join(work, 'tariff.html'), html);
    const { page, errors, outside } = await open(out.path);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const pixels = await drawnPixels(page);
    for (const id of ['chart-hphc-days', 'chart-hphc-months', 'chart-cost', 'chart-plans', 'chart-maxpower'])
      expect(pixels[id], id).toBeGreaterThan(2000);
    const hp = days.reduce((a, d) => a + d.hpWh, 0) / 1000;
    const hc = days.reduce((a, d) => a + d.hcWh, 0) / 1000;
    expect(await summary(page, 'hphc-days')).toBe(
      `HP ${hp.toFixed(1)} kWh, HC ${hc.toFixed(1)} kWh (${Math.round((hc / (hp + hc)) * 100)}% off-peak) over ${days.length} days.`,
    );
    // Partial months say so: March from the 25th, June without 10–11, November's first 4 days.
    expect(await summary(page, 'cost')).toContain(`Cost ${totalCost.toFixed(2)} € over ${months.length} months (3 partial)`);
    expect(model.tariff!.monthLabels).toEqual(
      months.map(
        (m) =>
          ({ '2024-03': '2024-03 (7 of 31 days)', '2024-06': '2024-06 (28 of 30 days)', '2024-11': '2024-11 (4 of 30 days)' })[m.month] ??
          m.month,
      ),
    );
    expect(await summary(page, 'hphc-months')).toMatch(/^2024-03 \(partial: 7 of 31 days\): HP [\d.]+ kWh, HC [\d.]+ kWh; 2024-04: HP/);
    const monthAxis = await page.evaluate(() => {
      const w = window as unknown as { echarts: { getInstanceByDom(el: Element): { getOption(): any } } };
      return w.echarts.getInstanceByDom(document.getElementById('chart-hphc-months')!).getOption().xAxis[0].data as string[];
    });
    expect(monthAxis).toEqual(model.tariff!.monthLabels);
    expect(await summary(page, 'plans')).toBe(
      `Over 2024-03-25 to 2024-11-04: HP/HC ${totalCost.toFixed(2)} €, BASE ${(totalCost - 12.5).toFixed(2)} €; BASE would have saved 12.50 €.`,
    );
    const over = (await stored(h, 'max_power')).filter((r) => r.value >= 6000).length;
    expect(await summary(page, 'maxpower')).toContain(`Subscribed power 6000 VA: reached on ${over} day${over === 1 ? '' : 's'}.`);
    expect(model.subscribedHint).toBeNull();
    expect(await page.$('[data-summary="tariff"]')).toBeNull();
    await page.close();
  });
});

describe("report with the cached contract and the tariff settings (the tariff module's own figures)", () => {
  it('subscribed power from the contract; HP/HC, costs and the plan comparison equal `jeelinky tariff` on the same days', async () => {
    const prices = { JEELINKY_PRICE_BASE: '0.2516', JEELINKY_PRICE_HP: '0.27', JEELINKY_PRICE_HC: '0.2068' };
    // jeelinky tariff fetches and caches the contract (simulator: 9 kVA, HC 22H00-6H00) once.
    const tariff = await computeTariff(h.config, { now: h.clock.now(), since: SINCE, until: UNTIL, env: prices });
    expect(tariff.windows_source).toBe('contract');
    const callsBefore = h.sim.calls.length;
    const out = path.join(work, 'with-tariff.html');
    const cli = await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out], prices);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(h.sim.calls.length).toBe(callsBefore); // the report itself calls nothing

    const { page, errors, outside } = await open(out);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    const pixels = await drawnPixels(page);
    for (const id of ['chart-hphc-days', 'chart-hphc-months', 'chart-cost', 'chart-plans']) expect(pixels[id], id).toBeGreaterThan(2000);
    const split = tariff.days.filter((d) => d.hp_wh !== null);
    const hp = split.reduce((a, d) => a + d.hp_wh!, 0) / 1000;
    const hc = split.reduce((a, d) => a + d.hc_wh!, 0) / 1000;
    expect(await summary(page, 'hphc-days')).toBe(
      `HP ${hp.toFixed(1)} kWh, HC ${hc.toFixed(1)} kWh (${Math.round((hc / (hp + hc)) * 100)}% off-peak) over ${split.length} days.`,
    );
    const cost = tariff.months.reduce((a, m) => a + m.cost!, 0);
    expect(await summary(page, 'cost')).toMatch(
      new RegExp(`^Cost ${cost.toFixed(2)} € over ${tariff.months.length} months \\(\\d partial\\); dearest month`),
    );
    const c = tariff.comparison;
    const name = (p: string) => (p === 'HPHC' ? 'HP/HC' : p);
    expect(await summary(page, 'plans')).toContain(
      `Over ${SINCE} to ${UNTIL}: ${name(c.current_plan)} ${c.cost_current!.toFixed(2)} €, ${name(c.other_plan)} ${c.cost_other!.toFixed(2)} €;`,
    );
    const over = (await stored(h, 'max_power')).filter((r) => r.value >= 9000).length;
    expect(await summary(page, 'maxpower')).toContain(`Subscribed power 9000 VA: reached on ${over} day`);
    expect(await page.$('#chart-maxpower + .hint')).toBeNull();
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-tariff.png'), fullPage: true });
    await page.close();

    // Windows known but no prices: the split is drawn, costs give way to a line saying what to set.
    const noPrices = path.join(work, 'no-prices.html');
    expect((await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', noPrices])).code).toBe(
      0,
    );
    const bare = await open(noPrices);
    expect(await summary(bare.page, 'cost')).toMatch(/JEELINKY_PRICE_BASE, JEELINKY_PRICE_HP and JEELINKY_PRICE_HC/);
    expect(await bare.page.$('#chart-cost')).toBeNull();
    expect((await drawnPixels(bare.page))['chart-hphc-days']).toBeGreaterThan(2000);
    await bare.page.close();
  });
});

describe('report with Tempo in use: the season calendar coloured by day and the cost per colour', () => {
  it('draws one calendar per season with each known day in its colour (grey when not known); the cost per colour equals tariff --plan TEMPO', async () => {
    // The RTE simulator: demo colours on these dates (RTE's 2021-2022 season moved by whole weeks),
    // plus two red days and one day RTE's answer lacks, so that every colour is on the page.
    const colours = shiftedSeasonDays(addDaysUtc(SINCE, -1), UNTIL);
    colours.set('2024-10-29', 'RED');
    colours.set('2024-10-30', 'RED');
    const rte = await startTempoSimulator({ days: colours, missing: ['2024-10-15'] });
    try {
      const env = {
        JEELINKY_TEMPO_URL: rte.url,
        ...TEMPO_PRICES,
      };
      const out = path.join(work, 'tempo.html');
      const cli = await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out], env);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(rte.requests.openData).toBeGreaterThan(0);

      const { page, errors, outside, model } = await open(out);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
      const pixels = await drawnPixels(page);
      expect(pixels['chart-tempo']).toBeGreaterThan(5000);
      expect(pixels['chart-tempo-cost']).toBeGreaterThan(1000);
      expect(model.tempo!.seasons.map((x) => [x.season, x.from, x.to])).toEqual([
        ['2023-2024', SINCE, '2024-08-31'],
        ['2024-2025', '2024-09-01', UNTIL],
      ]);

      // The pixel at the centre of a day's cell, read from the canvas ECharts drew.
      const rgbOf = (day: string) =>
        page.evaluate((day) => {
          const el = document.getElementById('chart-tempo')!;
          const w = window as unknown as {
            echarts: { getInstanceByDom(el: Element): { convertToPixel(finder: object, value: string): number[] } };
          };
          const chart = w.echarts.getInstanceByDom(el);
          const calendarIndex = day >= '2024-09-01' ? 1 : 0;
          const [x, y] = chart.convertToPixel({ calendarIndex }, day);
          // ECharts may draw the cells on a layer of their own: the topmost canvas painted there wins.
          for (const canvas of Array.from(el.querySelectorAll('canvas')).reverse()) {
            const ratio = canvas.width / el.clientWidth;
            const d = canvas.getContext('2d')!.getImageData(Math.round(x! * ratio), Math.round(y! * ratio), 1, 1).data;
            if (d[3]! > 0) return [d[0]!, d[1]!, d[2]!];
          }
          return [];
        }, day);
      const FILL: Record<string, number[]> = {
        BLUE: [0x1f, 0x5f, 0xbf],
        WHITE: [0xf4, 0xf4, 0xf4],
        RED: [0xd6, 0x27, 0x28],
        unknown: [0x9e, 0x9e, 0x9e],
      };
      const firstOf = (c: string) => [...colours].find(([d, col]) => d >= SINCE && col === c && d !== '2024-10-15')![0];
      const samples: Array<[string, string]> = [
        [firstOf('BLUE'), 'BLUE'],
        [firstOf('WHITE'), 'WHITE'],
        ['2024-10-29', 'RED'],
        ['2024-10-30', 'RED'],
        ['2024-10-15', 'unknown'],
        ['2024-09-01', colours.get('2024-09-01')!],
      ];
      for (const [day, colour] of samples) {
        const got = await rgbOf(day);
        expect({ day, colour, close: got.length === 3 && got.every((v, i) => Math.abs(v - FILL[colour]![i]!) <= 3), got }).toMatchObject({
          day,
          colour,
          close: true,
        });
      }
      expect(model.tempo!.counts.unknown).toBe(1);
      expect(model.tempo!.counts.RED).toBe(2);
      expect(await summary(page, 'tempo')).toBe(
        `Tempo days ${SINCE} to ${UNTIL}: 2 red days, ${model.tempo!.counts.WHITE} white days, ${model.tempo!.counts.BLUE} blue days, 1 day without a known colour (grey).`,
      );

      // The cost per colour: the complete Tempo days of tariff --plan TEMPO, summed here.
      const t = await runCli(
        ['tariff', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--plan', 'TEMPO', '--json'],
        env,
      );
      expect(t.code, t.stderr).toBe(0);
      const tempoDays = (
        JSON.parse(t.stdout).tempo.days as Array<{
          date: string;
          colour: string | null;
          complete: boolean;
          hp_wh: number;
          hc_wh: number;
          cost: number;
        }>
      ).filter((d) => d.complete && d.colour && d.date >= SINCE && d.date <= UNTIL);
      const part = (c: string) => {
        const ds = tempoDays.filter((d) => d.colour === c);
        const kwh = ds.reduce((a, d) => a + d.hp_wh + d.hc_wh, 0) / 1000;
        const cost = ds.reduce((a, d) => a + d.cost, 0);
        return `${c.toLowerCase()} ${cost.toFixed(2)} € (${kwh.toFixed(1)} kWh over ${ds.length} day${ds.length === 1 ? '' : 's'})`;
      };
      expect(tempoDays.filter((d) => d.colour === 'RED')).toHaveLength(2);
      expect(await summary(page, 'tempo-cost')).toMatch(
        new RegExp(
          `^Per colour: ${[part('BLUE'), part('WHITE'), part('RED')].join(', ').replace(/[().]/g, '\\$&')}; total \\d+\\.\\d\\d €\\.$`,
        ),
      );
      await page.screenshot({ path: path.join(ARTIFACTS, 'report-tempo.png'), fullPage: true });
      await page.close();

      // Without Tempo in use: no Tempo section, RTE not asked.
      const asked = rte.log.length;
      const plain = path.join(work, 'no-tempo.html');
      expect(
        (
          await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', plain], {
            JEELINKY_TEMPO_URL: rte.url,
          })
        ).code,
      ).toBe(0);
      const p2 = await open(plain);
      expect(p2.model.tempo).toBeNull();
      expect(await p2.page.$('#chart-tempo')).toBeNull();
      expect(rte.log.length).toBe(asked);
      await p2.page.close();
    } finally {
      await rte.close();
    }
  });
});

const addDaysUtc = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('bad input: one clear line, the right exit code, no file left behind', () => {
  const listing = (dir: string) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);

  it('an empty store', async () => {
    const state = tempDir();
    const out = path.join(work, 'empty.html');
    const r = await runCli(['report', '--state-dir', state, '--pdl', PDL, '--out', out]);
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/nothing is stored for PDL .*jeelinky run/);
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(state, { recursive: true, force: true });
    const none = await runCli(['report', '--state-dir', path.join(work, 'no-such-state'), '--pdl', PDL, '--out', out]);
    expect(none.code).toBe(78);
    expect(none.stderr).toMatch(/no state directory/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('a range with no data, and a range upside down', async () => {
    const out = path.join(work, 'norange.html');
    const r = await runCli(['report', '--state-dir', h.config.stateDir, '--since', '2023-01-01', '--until', '2023-12-31', '--out', out]);
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      'no reading stored for PDL 00000000000001 between 2023-01-01 and 2023-12-31 (the newest stored day is 2024-11-04)',
    );
    expect(fs.existsSync(out)).toBe(false);
    const upside = await runCli([
      'report',
      '--state-dir',
      h.config.stateDir,
      '--since',
      '2024-06-01',
      '--until',
      '2024-05-01',
      '--out',
      out,
    ]);
    expect(upside.code).toBe(64);
    expect(upside.stderr).toMatch(/--since 2024-06-01 is after --until 2024-05-01/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('an unwritable --out: missing folder, a file as folder, a directory (the rename fails after the write)', async () => {
    const dir = path.join(work, 'unwritable');
    fs.mkdirSync(dir);
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'x');
    for (const [out, why] of [
      [path.join(dir, 'missing', 'r.html'), 'its folder does not exist'],
      [path.join(blocker, 'r.html'), 'a part of its path is a file, not a folder'],
      [dir, 'it is a directory'],
    ] as const) {
      const r = await runCli(['report', '--state-dir', h.config.stateDir, '--since', SINCE, '--until', UNTIL, '--out', out]);
      expect(r.code, out).toBe(78);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`cannot write the report to ${out}`);
      expect(r.stderr).toContain(why);
      expect(r.stderr).toContain('give --out a file in a folder you can write to');
      expect(r.stdout).toBe('');
    }
    expect(listing(dir)).toEqual(['a-file']); // no temporary file left, even when the rename failed
  });
});
