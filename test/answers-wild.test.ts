/**
 * Answers as they come in the wild, met the way a user meets them: the CLI as a child process
 * against the Enedis simulator serving error bodies under HTTP 200 in every shape older proxies
 * send, and metering answers with one odd item. Error bodies are classified by shape and code
 * (temporary unless they say otherwise, never "a jeelinky bug"); one odd item is dropped or read
 * with a default and said in the summary and in --json, never the whole answer.
 */
import fs from 'node:fs';
import moment from 'moment-timezone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnedisSimulator, IntervalItem } from '../simulators/enedis.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { cliEnv, PDL, runCli, tempDir } from './support/core.js';
import { cliWorld, type CliWorld } from './support/world.js';

let world: CliWorld | undefined;
let sim: EnedisSimulator;
let paired: string;
const dirs: string[] = [];

beforeAll(async () => {
  world = await cliWorld({ pair: true });
  ({ enedis: sim, dir: paired } = world);
}, 60_000);

afterAll(async () => {
  await world?.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh copy of the paired state: every case starts from the same tokens and an empty store. */
function pairedEnv(): { env: Record<string, string>; dir: string } {
  const dir = tempDir();
  dirs.push(dir);
  fs.cpSync(paired, dir, { recursive: true });
  return { env: cliEnv(sim, dir), dir };
}

interface KindJson {
  kind: string;
  status: string;
  added: number;
  warnings: string[];
  missingDays: string[];
  error?: { code: string; message: string };
}

async function runJson(flag: string, env: Record<string, string>) {
  const r = await runCli(['run', flag, '--json'], env);
  const report = JSON.parse(r.stdout) as { exitCode: number; kinds: KindJson[]; error?: { code: string } };
  return { ...r, report, kind: report.kinds[0]! };
}

async function stored(dir: string, kind: 'daily_consumption' | 'max_power' | 'load_curve') {
  return new ReadingsStore(await StateStore.open(dir)).readings(PDL, kind, '2000-01-01', '2100-01-01');
}

describe('an error body under HTTP 200, whatever its shape or language', () => {
  // [route flag, body, exit code, code in --json, what it proves]
  const CASES: Array<[string, unknown, number, string]> = [
    // Enedis' documented shape with a code nobody documented: temporary, not a bug.
    ['--daily-consumption', { error: 'server_error', error_description: 'Something went wrong upstream' }, 75, 'enedis_error'],
    // {code, message}: read by its code (the curve is not collected: a person must act).
    [
      '--load-curve',
      { code: 'ADAM-ERR0075', message: 'The load curve is not collected for this usage point' },
      78,
      'load_curve_not_collected',
    ],
    // {status, message} in French: the status in the body says "server error".
    ['--daily-consumption', { status: 500, message: 'Erreur interne' }, 75, 'enedis_unavailable'],
    // French wording under Enedis' shape, unknown code: temporary.
    [
      '--daily-consumption',
      { error: 'erreur_technique', error_description: 'Le service est momentanément indisponible, veuillez réessayer plus tard' },
      75,
      'enedis_unavailable',
    ],
    // An "error" string with a known code, as its non-200 twin.
    ['--load-curve', { error: 'ADAM-ERR0075', error_description: '' }, 78, 'load_curve_not_collected'],
    // Nested {error:{code,message}}: the consent is gone (its 403 twin says so too).
    [
      '--daily-consumption',
      { error: { code: 'ADAM-DC-0008', message: 'No consent can be found for this customer and this usage point.' } },
      78,
      'consent_missing',
    ],
    // A parameter error relayed with 200: the status is not trusted, so temporary, never exit 1.
    ['--daily-consumption', { error: 'Invalid_request', error_description: 'Start date should be before end date.' }, 75, 'enedis_error'],
    // No recognisable error at all: temporary.
    ['--daily-consumption', { resultat: 'KO' }, 75, 'unexpected_answer'],
  ];

  for (const [flag, body, exit, code] of CASES) {
    it(`${JSON.stringify(body)} → exit ${exit} (${code})`, async () => {
      const { env } = pairedEnv();
      sim.inject({ path: flag === '--load-curve' ? 'consumption_load_curve' : 'daily_consumption' }, { kind: 'error-with-200', body }, 1);
      const r = await runJson(flag, env);
      expect(r.code).toBe(exit);
      expect(r.kind.error?.code).toBe(code);
      // One clear line on stderr, never "a jeelinky bug".
      const lines = r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('jeelinky:'));
      expect(lines).toHaveLength(1);
      expect(r.stderr).not.toMatch(/jeelinky bug|please report it$/m);
      expect(sim.pendingFaults()).toBe(0);
    });
  }

  it('{"code":"no_data_found"} under 200 is a gap, like its 404 twin', async () => {
    const { env } = pairedEnv();
    sim.inject(
      { path: 'daily_consumption' },
      { kind: 'error-with-200', body: { code: 'no_data_found', message: 'no measure found for this usage point' } },
      1,
    );
    const r = await runJson('--daily-consumption', env);
    expect(r.code).toBe(0);
    expect(r.kind.added).toBe(0);
    expect(r.kind.missingDays.length).toBeGreaterThan(0);
  });

  it('"Access token not found" or invalid_grant under 200: refresh once, try once more', async () => {
    for (const body of [{ error: 'Access token not found' }, { error: 'invalid_grant', error_description: 'grant expired' }]) {
      const { env } = pairedEnv();
      const refreshes = () => sim.calls.filter((c) => c.form?.grant_type === 'refresh_token').length;
      const before = refreshes();
      sim.inject({ path: 'daily_consumption' }, { kind: 'error-with-200', body }, 1);
      const r = await runJson('--daily-consumption', env);
      expect(r.code).toBe(0);
      expect(refreshes() - before).toBe(1);
      expect(r.kind.added).toBeGreaterThan(0);
    }
    // Refused again after the refresh: temporary, not a bug.
    const { env } = pairedEnv();
    sim.inject({ path: 'daily_consumption' }, { kind: 'error-with-200', body: { error: 'invalid_grant' } }, 2);
    const r = await runJson('--daily-consumption', env);
    expect(r.code).toBe(75);
    expect(r.kind.error?.code).toBe('access_token_rejected');
  });
});

describe('one odd item in a metering answer', () => {
  it('an item outside the range asked is left out with a warning; the rest is stored', async () => {
    const { env, dir } = pairedEnv();
    let served = 0;
    sim.inject(
      { path: 'daily_consumption' },
      { kind: 'rewrite-items', rewrite: (items) => ((served = items.length), [...items, { value: '1', date: '2019-01-01' }]) },
      1,
    );
    const r = await runJson('--daily-consumption', env);
    expect(r.code).toBe(0);
    expect(served).toBeGreaterThan(0);
    expect(r.kind.added).toBe(served);
    expect(r.kind.warnings).toHaveLength(1);
    expect(r.kind.warnings[0]).toMatch(/2019-01-01.*left out/);
    expect((await stored(dir, 'daily_consumption')).map((s) => s.day)).not.toContain('2019-01-01');
    // The plain summary says it too.
    const { env: env2 } = pairedEnv();
    sim.inject(
      { path: 'daily_consumption' },
      { kind: 'rewrite-items', rewrite: (items) => [...items, { value: '1', date: '2019-01-01' }] },
      1,
    );
    const plain = await runCli(['run', '--daily-consumption'], env2);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ {4}warning: daily consumption: Enedis sent 2019-01-01 .*left out/m);
  });

  it('one unreadable date is left out with a warning; the other days are stored', async () => {
    const { env, dir } = pairedEnv();
    let lost = '';
    sim.inject(
      { path: 'daily_consumption' },
      {
        kind: 'rewrite-items',
        rewrite: (items) => items.map((it, i) => (i === 0 ? ((lost = it.date), { ...it, date: '2024-13-45' }) : it)),
      },
      1,
    );
    const r = await runJson('--daily-consumption', env);
    expect(r.code).toBe(0);
    expect(r.kind.warnings.join('\n')).toMatch(/"2024-13-45", which is not a day: that item was left out/);
    const days = (await stored(dir, 'daily_consumption')).map((s) => s.day);
    expect(days.length).toBe(r.kind.added);
    expect(days.length).toBeGreaterThan(0);
    expect(days).not.toContain(lost);
    expect(r.kind.missingDays).toContain(lost);
  });

  it('one unreadable curve label drops that point only', async () => {
    const { env, dir } = pairedEnv();
    let total = 0;
    sim.inject(
      { path: 'consumption_load_curve' },
      {
        kind: 'rewrite-items',
        rewrite: (items) => ((total = items.length), items.map((it, i) => (i === 3 ? { ...it, date: 'hier soir' } : it))),
      },
      1,
    );
    const r = await runJson('--load-curve', env);
    expect(r.code).toBe(0);
    expect(r.kind.warnings.join('\n')).toMatch(/"hier soir".*left out/);
    expect((await stored(dir, 'load_curve')).length).toBe(total - 1);
  });

  it('max power dated with fractions of a second, an offset or Z keeps its instant', async () => {
    const { env, dir } = pairedEnv();
    const expected = new Map<string, number>();
    const variants = [
      (m: moment.Moment) => m.clone().utc().format('YYYY-MM-DDTHH:mm:ss.SSS[Z]'),
      (m: moment.Moment) => m.format('YYYY-MM-DDTHH:mm:ssZ'),
      (m: moment.Moment) => m.clone().utc().format('YYYY-MM-DD HH:mm:ss[Z]'),
      (m: moment.Moment) => m.format('YYYY-MM-DD HH:mm:ss.SSS'),
    ];
    sim.inject(
      { path: 'daily_consumption_max_power' },
      {
        kind: 'rewrite-items',
        rewrite: (items: IntervalItem[]) =>
          items.map((it, i) => {
            const m = moment.tz(it.date, 'YYYY-MM-DD HH:mm:ss', true, 'Europe/Paris');
            expected.set(it.date.slice(0, 10), m.valueOf());
            return { ...it, date: variants[i % variants.length]!(m) };
          }),
      },
      1,
    );
    const r = await runJson('--max-power', env);
    expect(r.code).toBe(0);
    expect(r.kind.warnings).toEqual([]);
    const readings = await stored(dir, 'max_power');
    expect(readings.length).toBe(expected.size);
    for (const rd of readings) {
      expect(rd.at, rd.day).toBeDefined();
      expect(Date.parse(rd.at!)).toBe(expected.get(rd.day));
    }
  });

  it('curve points without interval_length take the route step (PT30M) and say so', async () => {
    const { env, dir } = pairedEnv();
    sim.inject(
      { path: 'consumption_load_curve' },
      { kind: 'rewrite-items', rewrite: (items) => items.map((it) => ({ value: it.value, date: it.date })) },
      1,
    );
    const r = await runJson('--load-curve', env);
    expect(r.code).toBe(0);
    expect(r.kind.warnings).toHaveLength(1);
    expect(r.kind.warnings[0]).toMatch(/without interval_length .*read as PT30M, the route's documented step/);
    const readings = await stored(dir, 'load_curve');
    expect(readings.length).toBeGreaterThan(0);
    for (const rd of readings) expect(rd.energyWh).toBe(rd.value / 2);
  });

  it('many unreadable items are a broken answer: refused whole, nothing stored', async () => {
    const { env, dir } = pairedEnv();
    sim.inject(
      { path: 'daily_consumption' },
      { kind: 'rewrite-items', rewrite: (items) => items.map((it) => ({ ...it, date: `le ${it.date}` })) },
      1,
    );
    const r = await runJson('--daily-consumption', env);
    expect(r.code).toBe(75);
    expect(r.kind.error?.code).toBe('bad_date');
    expect(await stored(dir, 'daily_consumption')).toEqual([]);
  });
});
