/**
 * Fetch steps against the metering simulator over real HTTP: every endpoint, units, DST days,
 * hourly meters, gaps, chunking, history start, publication time, idempotence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import type { ReadingKind } from '../plugin/readings.js';
import { harness, PDL, type Harness } from './support/core.js';

let h: Harness;
afterEach(async () => h?.close());

async function stored(kind: ReadingKind, from: string, to: string) {
  return new ReadingsStore(await StateStore.open(h.config.stateDir)).readings(PDL, kind, from, to);
}

describe('daily job', () => {
  it('first run: the last 7 days up to yesterday, every default kind, values and units as Enedis gives them', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const r = await h.run({});
    expect(r.exitCode).toBe(0);
    expect(r.kinds.map((k) => k.kind)).toEqual(['daily_consumption', 'max_power', 'load_curve']);
    for (const k of r.kinds) {
      expect(k.from).toBe('2024-10-29');
      expect(k.to).toBe('2024-11-05');
      expect(k.missingDays).toEqual([]);
    }
    const daily = await stored('daily_consumption', '2024-10-29', '2024-11-05');
    expect(daily.map((d) => d.day)).toEqual([
      '2024-10-29',
      '2024-10-30',
      '2024-10-31',
      '2024-11-01',
      '2024-11-02',
      '2024-11-03',
      '2024-11-04',
    ]);
    for (const d of daily) {
      expect(d.unit).toBe('Wh');
      expect(d.value).toBe(h.sim.expectedValue('daily_consumption', PDL, d.day));
      expect(d.start).toBe(`${d.day}T00:00:00+01:00`);
    }
    const max = await stored('max_power', '2024-10-29', '2024-11-05');
    for (const m of max) {
      const expected = h.sim.expectedValue('max_power', PDL, m.day)!;
      expect(m.unit).toBe('VA');
      expect(m.value).toBe(Number(expected.value));
      expect(m.at).toBe(expected.instantIso);
    }
    // A 30-minute average power is not an energy: W kept as W, energy derived per interval.
    const curve = await stored('load_curve', '2024-11-04', '2024-11-05');
    expect(curve).toHaveLength(48);
    expect(curve[0]!.start).toBe('2024-11-04T00:00:00+01:00');
    expect(curve[0]!.end).toBe('2024-11-04T00:30:00+01:00');
    expect(curve[0]!.unit).toBe('W');
    expect(curve[0]!.energyWh).toBe(curve[0]!.value / 2);
    const sumWh = curve.reduce((a, c) => a + c.energyWh!, 0);
    expect(sumWh).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-11-04'));
  });

  it('a same-day re-run makes no metering call; the next day asks only for the new day', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    await h.run({});
    const calls = h.sim.meteringCalls().length;
    const again = await h.run({});
    expect(again.meteringCalls).toBe(0);
    expect(h.sim.meteringCalls().length).toBe(calls);
    expect(again.kinds.every((k) => k.added === 0 && k.changed === 0)).toBe(true);
    await h.clock.sleep(24 * 3600_000);
    const next = await h.run({});
    expect(next.meteringCalls).toBe(3);
    const queries = h.sim
      .meteringCalls()
      .slice(calls)
      .map((c) => `${c.query.start}/${c.query.end}`);
    expect(new Set(queries)).toEqual(new Set(['2024-11-05/2024-11-06']));
  });

  it('before 08:00 yesterday is not published: not asked, not a failure', async () => {
    h = await harness('2024-11-05T07:30:00+01:00');
    await h.pairNow();
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.to).toBe('2024-11-04');
    expect(h.sim.meteringCalls().every((c) => c.query.end! <= '2024-11-04')).toBe(true);
  });

  it('a day published late is asked again later the same day, and then completes', async () => {
    h = await harness('2024-11-05T09:00:00+01:00', { latePublicationDays: ['2024-11-04'] });
    await h.pairNow();
    const r1 = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r1.exitCode).toBe(0);
    expect(r1.kinds[0]!.missingDays).toEqual(['2024-11-04']);
    await h.clock.sleep(24 * 3600_000);
    const r2 = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r2.kinds[0]!.missingDays).toEqual([]);
    expect((await stored('daily_consumption', '2024-11-04', '2024-11-05'))[0]?.value).toBe(
      h.sim.expectedValue('daily_consumption', PDL, '2024-11-04'),
    );
  });
});

describe('ranges and chunking', () => {
  it('--since 30 days: load curve in 5 calls of at most 7 days, daily in one, end exclusive', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const r = await h.run({ since: '2024-10-06', fetchKinds: ['daily_consumption', 'load_curve'] });
    expect(r.exitCode).toBe(0);
    // Newest first (recent days matter most when a budget cuts the run short).
    const curveCalls = h.sim.meteringCalls().filter((c) => c.path.includes('load_curve'));
    expect(curveCalls[0]!.query.end).toBe('2024-11-05');
    curveCalls.sort((a, b) => a.query.start!.localeCompare(b.query.start!));
    expect(curveCalls).toHaveLength(5);
    for (const c of curveCalls) {
      const days = (Date.parse(c.query.end!) - Date.parse(c.query.start!)) / 86400_000;
      expect(days).toBeLessThanOrEqual(7);
    }
    expect(curveCalls[0]!.query.start).toBe('2024-10-06');
    expect(curveCalls.at(-1)!.query.end).toBe('2024-11-05');
    expect(h.sim.meteringCalls().filter((c) => c.path.includes('daily_consumption'))).toHaveLength(1);
    expect(r.kinds[1]!.days.complete).toBe(30);
  });

  it('history starts at the meter activation: found by splitting the range, then never asked again', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, activationDate: '2024-10-20' }] });
    await h.pairNow();
    const r = await h.run({ since: '2024-09-01', fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.historyStart).toBe('2024-10-20');
    const days = (await stored('daily_consumption', '2024-09-01', '2024-11-05')).map((d) => d.day);
    expect(days[0]).toBe('2024-10-20');
    expect(days).toHaveLength(16);
    const calls = h.sim.meteringCalls().length;
    expect(calls).toBeLessThanOrEqual(16);
    const again = await h.run({ since: '2024-09-01', fetchKinds: ['daily_consumption'] });
    expect(again.meteringCalls).toBe(0);
    expect(again.kinds[0]!.missingDays).toEqual([]);
  });

  it("never asks beyond Enedis' history depth (24 months + 15 days for curves)", async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const r = await h.run({ since: '2020-01-01', fetchKinds: ['load_curve'] });
    expect(r.exitCode).toBe(0);
    const first = h.sim.meteringCalls()[0]!;
    expect(first.query.start! >= h.sim.historyDeadline('load_curve')).toBe(true);
    expect(r.kinds[0]!.calls).toBe(Math.ceil(r.kinds[0]!.days.complete / 7));
  }, 120_000);
});

describe('DST days and interval lengths', () => {
  it('October: 50 half-hours, the repeated 02:00 and 02:30 kept as distinct instants, energy equals the daily total', async () => {
    h = await harness('2024-10-30T10:00:00+01:00');
    await h.pairNow();
    await h.run({ since: '2024-10-26', fetchKinds: ['daily_consumption', 'load_curve'] });
    const curve = await stored('load_curve', '2024-10-27', '2024-10-28');
    expect(curve).toHaveLength(50);
    const starts = curve.map((c) => c.start);
    expect(new Set(starts).size).toBe(50);
    expect(starts).toContain('2024-10-27T02:00:00+02:00');
    expect(starts).toContain('2024-10-27T02:00:00+01:00');
    expect(starts).toContain('2024-10-27T02:30:00+02:00');
    expect(starts).toContain('2024-10-27T02:30:00+01:00');
    const expected = h.sim.expectedValue('load_curve', PDL, '2024-10-27');
    expect(curve.map((c) => c.value)).toEqual(expected.map((p) => p.value));
    expect(curve.reduce((a, c) => a + c.energyWh!, 0)).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-10-27'));
    const day = await new ReadingsStore(await StateStore.open(h.config.stateDir)).dayRecord(PDL, 'load_curve', '2024-10-27');
    expect(day).toMatchObject({ status: 'complete', points: 50, expected: 50 });
  });

  it('March: 46 half-hours, no time inside the gap, energy equals the daily total', async () => {
    h = await harness('2024-04-03T10:00:00+02:00');
    await h.pairNow();
    await h.run({ since: '2024-03-30', fetchKinds: ['daily_consumption', 'load_curve'] });
    const curve = await stored('load_curve', '2024-03-31', '2024-04-01');
    expect(curve).toHaveLength(46);
    expect(curve.some((c) => /T02:/.test(c.start))).toBe(false);
    expect(curve.find((c) => c.start === '2024-03-31T01:30:00+01:00')?.end).toBe('2024-03-31T03:00:00+02:00');
    expect(curve.reduce((a, c) => a + c.energyWh!, 0)).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-03-31'));
  });

  it('an hourly (PT60M) meter: 23 and 25 points on DST days, Wh = W', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, intervalMinutes: 60 }] });
    await h.pairNow();
    await h.run({ since: '2024-10-26', fetchKinds: ['load_curve'] });
    const autumn = await stored('load_curve', '2024-10-27', '2024-10-28');
    expect(autumn).toHaveLength(25);
    expect(autumn.every((c) => c.energyWh === c.value)).toBe(true);
    expect(autumn.reduce((a, c) => a + c.energyWh!, 0)).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-10-27'));
    const normal = await stored('load_curve', '2024-10-28', '2024-10-29');
    expect(normal).toHaveLength(24);
    const rec = await new ReadingsStore(await StateStore.open(h.config.stateDir)).dayRecord(PDL, 'load_curve', '2024-10-27');
    expect(rec?.expected).toBe(25);
  });

  it('missing curve points are gaps, reported, never zeros', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', {
      meters: [{ usagePoint: PDL, missingCurvePoints: ['2024-11-02 13:30:00', '2024-11-02 14:00:00'] }],
    });
    await h.pairNow();
    const r = await h.run({ fetchKinds: ['load_curve'] });
    const curve = await stored('load_curve', '2024-11-02', '2024-11-03');
    expect(curve).toHaveLength(46);
    expect(curve.some((c) => c.end === '2024-11-02T13:30:00+01:00')).toBe(false);
    expect(r.kinds[0]!.missingDays).toEqual(['2024-11-02']);
    expect(r.kinds[0]!.days.partial).toBe(1);
  });

  it('production: daily and curve on a producing meter; "not available" remembered on a consumer-only one', async () => {
    h = await harness('2024-11-05T10:00:00+01:00', { meters: [{ usagePoint: PDL, production: true }] });
    await h.pairNow();
    const r = await h.run({ fetchKinds: ['daily_production', 'production_load_curve'] });
    expect(r.exitCode).toBe(0);
    const prod = await stored('daily_production', '2024-11-04', '2024-11-05');
    expect(prod[0]?.value).toBe(h.sim.expectedValue('daily_production', PDL, '2024-11-04'));
    const curve = await stored('production_load_curve', '2024-11-04', '2024-11-05');
    expect(curve.reduce((a, c) => a + c.energyWh!, 0)).toBe(prod[0]?.value);
    await h.close();

    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const none = await h.run({ fetchKinds: ['daily_production'] });
    expect(none.exitCode).toBe(0);
    expect(none.kinds[0]!.status).toBe('not_available');
    const calls = h.sim.meteringCalls().length;
    const again = await h.run({ fetchKinds: ['daily_production'] });
    expect(again.kinds[0]!.status).toBe('not_available');
    expect(h.sim.meteringCalls().length).toBe(calls);
  });
});
