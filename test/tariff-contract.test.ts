/**
 * The contract over real HTTP (Enedis simulator): fetched once then cached, refreshed on demand,
 * refused routes falling back to the user's windows with a note, and the split of what the
 * simulator served checked against a brute-force minute-by-minute count. Then `jeelinky tariff
 * --json` as a child process.
 */
import moment from 'moment-timezone';
import { afterEach, describe, expect, it } from 'vitest';
import { parseOffpeakHours } from '../plugin/tariff/index.js';
import { computeTariff } from '../plugin/runner/tariff.js';
import { addDays, eachDay } from '../plugin/time/local.js';
import { cliEnv, harness, issuedSecrets, PDL, runCli, type Harness } from './support/core.js';

const NOW = '2024-11-05T10:00:00+01:00';
const TZ = 'Europe/Paris';
const PRICES = { JEELINKY_PRICE_BASE: '0.2516', JEELINKY_PRICE_HP: '0.2700', JEELINKY_PRICE_HC: '0.2068' };
const CONTRACTS = { path: 'usage_points/contracts' };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function withData(offpeakHours = 'HC (0H50-6H50;14H20-16H20)', intervalMinutes: 30 | 60 = 30) {
  h = await harness(NOW, { meters: [{ usagePoint: PDL, offpeakHours, intervalMinutes }] });
  await h.pairNow();
  const run = await h.run({ fetchKinds: ['daily_consumption', 'load_curve'], since: '2024-10-26' });
  expect(run.exitCode).toBe(0);
  return h;
}

const contractCalls = (x: Harness) => x.sim.calls.filter((c) => c.path.endsWith('/usage_points/contracts')).length;
const tariff = (x: Harness, opts: Parameters<typeof computeTariff>[1] = {}) =>
  computeTariff(x.config, { since: '2024-10-26', until: '2024-11-03', now: x.clock.now(), env: PRICES, ...opts });

/** Off-peak Wh of one simulated day, counted minute by minute on the local wall clock (independent of plugin/tariff/split.ts). */
function bruteForceHc(x: Harness, day: string, windows: string): number {
  const ranges = parseOffpeakHours(windows).ranges;
  let hc = 0;
  for (const p of x.sim.expectedValue('load_curve', PDL, day)) {
    const end = Date.parse(p.instantIso);
    const minutes = p.energyWh === 0 ? 30 : Math.round((p.energyWh * 60) / p.value);
    for (let m = 0; m < minutes; m++) {
      const wall = moment.tz(end - (minutes - m) * 60_000, TZ);
      const minuteOfDay = wall.hours() * 60 + wall.minutes();
      if (ranges.some(([a, b]) => minuteOfDay >= a && minuteOfDay < b)) hc += p.value / 60;
    }
  }
  return hc;
}

describe('contract through the proxy', () => {
  it('fetched once, cached, and its odd-minute windows split the served curve exactly as a minute-by-minute count', async () => {
    const x = await withData();
    const first = await tariff(x);
    expect(contractCalls(x)).toBe(1);
    expect(first.calls).toBe(1);
    expect(first.contract).toMatchObject({
      usagePoint: PDL,
      subscribedPowerKva: 9,
      distributionTariff: 'BTINFMUDT',
      offpeakHours: 'HC (0H50-6H50;14H20-16H20)',
    });
    expect(first.windows_source).toBe('contract');
    expect(first.windows).toEqual([{ from: null, windows: '00:50-06:50;14:20-16:20', source: 'contract' }]);
    expect(first.current_plan).toBe('HPHC');
    expect(first.plan_source).toBe('contract');
    const days = eachDay('2024-10-26', '2024-11-04');
    expect(first.days.map((d) => d.date)).toEqual(days);
    for (const d of first.days) {
      const served = x.sim.expectedValue('load_curve', PDL, d.date);
      expect(d.points).toBe(served.length);
      expect(d.total_wh).toBe(served.reduce((a, p) => a + p.energyWh, 0));
      expect(d.hc_wh).toBeCloseTo(bruteForceHc(x, d.date, '0H50-6H50;14H20-16H20'), 3);
      expect(d.daily_wh).toBe(x.sim.expectedValue('daily_consumption', PDL, d.date));
      expect(d.difference_wh).toBeCloseTo(d.total_wh - d.daily_wh!, 3);
      // Four straddling half-hours a day: 00:30, 06:30, 14:00 and 16:00.
      expect(d.pro_rata_points).toBe(4);
    }
    expect(first.days.find((d) => d.date === '2024-10-27')).toMatchObject({ points: 50, expected_points: 50, complete: true });

    const second = await tariff(x);
    expect(contractCalls(x)).toBe(1);
    expect(second.calls).toBe(0);
    expect(second.days).toEqual(first.days);
  });

  it('--refresh-contract asks again and the new windows apply', async () => {
    const x = await withData('HC (22H00-6H00)');
    expect((await tariff(x)).windows[0]!.windows).toBe('22:00-06:00');
    x.sim.inject(CONTRACTS, {
      status: 200,
      body: {
        customer: {
          customer_id: '1',
          usage_points: [
            {
              usage_point: { usage_point_id: PDL, usage_point_status: 'com', meter_type: 'AMM' },
              contracts: { subscribed_power: '12 kVA', distribution_tariff: 'BTINFMUDT', offpeak_hours: 'HC (1H30-8H00;12H30-14H00)' },
            },
          ],
        },
      },
    });
    expect((await tariff(x)).windows[0]!.windows).toBe('22:00-06:00');
    expect(contractCalls(x)).toBe(1);
    const refreshed = await tariff(x, { refreshContract: true });
    expect(contractCalls(x)).toBe(2);
    expect(refreshed.windows[0]!.windows).toBe('01:30-08:00;12:30-14:00');
    expect(refreshed.contract?.subscribedPowerKva).toBe(12);
  });

  it('the v3 sandbox shape (array, contracts inside usage_point, "23h-7h") is understood', async () => {
    const x = await withData();
    x.sim.inject(CONTRACTS, {
      status: 200,
      body: [
        {
          customer: {
            customer_id: '1',
            usage_points: [
              {
                usage_point: {
                  usage_point_id: PDL,
                  contracts: { subscribed_power: '9', offpeak_hours: '23h-7h', distribution_tariff: 'BTINFMUDT' },
                },
              },
            ],
          },
        },
      ],
    });
    const out = await tariff(x);
    expect(out.windows[0]!.windows).toBe('23:00-07:00');
    expect(out.contract?.subscribedPowerKva).toBe(9);
  });

  it('an expired access token is refreshed once and the contract call made again', async () => {
    const x = await withData();
    x.sim.expireAccessTokens();
    const out = await tariff(x);
    expect(out.windows_source).toBe('contract');
    expect(contractCalls(x)).toBe(2);
    expect(x.sim.calls.filter((c) => c.path === '/device/token' && c.form?.grant_type === 'refresh_token')).toHaveLength(1);
  });

  it('the address on demand (--refresh-addresses), cached afterwards', async () => {
    const x = await withData();
    const out = await tariff(x, { refreshAddresses: true });
    expect(out.address).toMatchObject({ usagePoint: PDL, city: 'VILLE-EXEMPLE', postalCode: '00000', latitude: '45.000000' });
    const again = await tariff(x);
    expect(again.address?.city).toBe('VILLE-EXEMPLE');
    expect(x.sim.calls.filter((c) => c.path.endsWith('/usage_points/addresses'))).toHaveLength(1);
  });
});

describe('a refused or failing contract route falls back, never fails', () => {
  it("403 ADAM-DC-0008: the user's windows are used, with a note; the refusal is remembered", async () => {
    const x = await withData();
    x.sim.inject(CONTRACTS, {
      status: 403,
      body: { error: 'ADAM-DC-0008', error_description: 'No consent can be found for this customer and this usage point' },
    });
    const out = await tariff(x, { env: { ...PRICES, JEELINKY_OFFPEAK_HOURS: '22h00-06h00' } });
    expect(out.windows_source).toBe('settings');
    expect(out.windows[0]!.windows).toBe('22:00-06:00');
    expect(out.notes.join('\n')).toMatch(/does not serve the contract route.*ADAM-DC-0008.*your own off-peak windows are used/);
    expect(out.current_plan).toBe('BASE');
    expect(out.plan_source).toBe('default');
    expect(out.days).toHaveLength(9);
    expect(out.days[0]!.hc_wh).not.toBeNull();
    // Not asked again at every run.
    const again = await tariff(x, { env: { ...PRICES, JEELINKY_OFFPEAK_HOURS: '22h00-06h00' } });
    expect(contractCalls(x)).toBe(1);
    expect(again.notes.join('\n')).toMatch(/refused the contract route on 2024-11-05.*--refresh-contract/);
  });

  it('404 HTML page (route not relayed by the proxy): no windows at all is a note, BASE costs still computed', async () => {
    const x = await withData();
    x.sim.inject(CONTRACTS, { kind: 'html', status: 404 });
    const out = await tariff(x);
    expect(out.windows_source).toBe('none');
    expect(out.notes.join('\n')).toMatch(/HTTP 404[\s\S]*set JEELINKY_OFFPEAK_HOURS/);
    expect(out.days[0]).toMatchObject({ hp_wh: null, hc_wh: null, cost_hphc: null });
    expect(out.days[0]!.cost_base).toBeGreaterThan(0);
    expect(out.comparison.last_12_months.cheaper).toBeNull();
  });

  it('500 technical error after the retries: a note, the run goes on; the next run asks again', async () => {
    const x = await withData();
    x.sim.inject(CONTRACTS, { status: 500, body: { error: 'technical_error', error_description: 'Technical error' } }, 3);
    const out = await tariff(x, { env: { ...PRICES, JEELINKY_OFFPEAK_HOURS: '22h00-06h00' } });
    expect(out.notes.join('\n')).toMatch(/contract not fetched: .*run again later/);
    expect(contractCalls(x)).toBe(3);
    const next = await tariff(x, { env: { ...PRICES, JEELINKY_OFFPEAK_HOURS: '22h00-06h00' } });
    expect(contractCalls(x)).toBe(4);
    expect(next.contract?.offpeakHours).toBe('HC (0H50-6H50;14H20-16H20)');
    // The user's windows still win over the contract's.
    expect(next.windows_source).toBe('settings');
  });

  it("not paired: no call at all, the user's windows only", async () => {
    h = await harness(NOW, { meters: [{ usagePoint: PDL }] }, { usagePoint: PDL });
    const out = await computeTariff(h.config, {
      now: h.clock.now(),
      env: { JEELINKY_OFFPEAK_HOURS: '22h-6h' },
      since: '2024-10-01',
      until: '2024-10-31',
    });
    expect(h.sim.calls).toHaveLength(0);
    expect(out.days).toEqual([]);
    expect(out.notes.join('\n')).toMatch(/no load curve stored/);
  });
});

describe('jeelinky tariff (child process)', () => {
  it('--json: the documented contract; the contract fetched once, then no call; secrets never printed', async () => {
    const x = await withData('HC (22H00-6H00)');
    const env = cliEnv(x.sim, x.config.stateDir, {
      ...PRICES,
      JEELINKY_SUBSCRIPTION_BASE: '12.44',
      JEELINKY_SUBSCRIPTION_HPHC: '12.85',
      JEELINKY_CURRENT_PLAN: 'BASE',
    });
    const r = await runCli(['tariff', '--since', '2024-10-28', '--until', '2024-11-03', '--json'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['days', 'months', 'years', 'comparison', 'windows', 'prices', 'notes', 'current_plan']),
    );
    expect(out.days).toHaveLength(7);
    for (const d of out.days) {
      expect(Object.keys(d).sort()).toEqual(
        [
          'complete',
          'cost',
          'cost_base',
          'cost_hphc',
          'daily_wh',
          'date',
          'difference_wh',
          'expected_points',
          'hc_wh',
          'hp_wh',
          'points',
          'pro_rata_points',
          'total_wh',
          'windows',
        ].sort(),
      );
      expect(d.hp_wh + d.hc_wh).toBeCloseTo(d.total_wh, 2);
      expect(d.cost).toBe(d.cost_base);
      expect(d.windows).toBe('22:00-06:00');
    }
    expect(out.months.map((m: { period: string }) => m.period)).toEqual(['2024-10', '2024-11']);
    expect(out.comparison).toMatchObject({ current_plan: 'BASE', other_plan: 'HPHC', from: '2024-10-28', to: '2024-11-03', days: 7 });
    // Computed on exact amounts, then rounded: within a cent of the difference of the rounded costs.
    expect(Math.abs(out.comparison.difference - (out.comparison.cost_other - out.comparison.cost_current))).toBeLessThanOrEqual(0.0100001);
    expect(out.prices).toEqual([
      { from: null, base: '0.2516', hp: '0.27', hc: '0.2068', subscriptionBase: '12.44', subscriptionHphc: '12.85' },
    ]);
    expect(out.calls).toBe(1);
    for (const s of issuedSecrets(x.sim)) expect(r.stdout).not.toContain(s);

    const again = await runCli(['tariff', '--since', '2024-10-28', '--until', '2024-11-03', '--json'], env);
    expect(JSON.parse(again.stdout).calls).toBe(0);
    expect(contractCalls(x)).toBe(1);

    const text = await runCli(['tariff', '--since', '2024-10-28', '--until', '2024-11-03'], env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/2024-10-28 +\d+\.\d{3} +\d+\.\d{3}/);
    expect(text.stdout).toMatch(/BASE \(current\) \d+\.\d\d €/);
  });

  it('a bad setting is one line on stderr and exit 78', async () => {
    const x = await withData();
    const r = await runCli(['tariff', '--json'], cliEnv(x.sim, x.config.stateDir, { JEELINKY_OFFPEAK_HOURS: '22h-6' + 'x' }));
    expect(r.code).toBe(78);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/JEELINKY_OFFPEAK_HOURS "22h-6x": cannot read/);
    const plan = await runCli(['tariff'], cliEnv(x.sim, x.config.stateDir, { JEELINKY_PRICE_BASE: '0.25€' }));
    expect(plan.code).toBe(78);
    expect(plan.stderr).toMatch(/JEELINKY_PRICE_BASE="0.25€" is not a price/);
  });
});

it('fixture sanity: the simulated range is published', async () => {
  const x = await withData();
  expect(x.sim.isPublished(addDays('2024-11-03', 0))).toBe(true);
});
