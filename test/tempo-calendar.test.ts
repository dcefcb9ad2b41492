/**
 * The Tempo colour calendar as a user meets it: `jeelinky tempo` run as a child process against the
 * RTE simulators on 127.0.0.1, serving the 2021-2022 season as RTE published it
 * (test/fixtures/tempo/season-2021-2022.csv, source cited there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTempoSimulator, TEMPO_SIM_CLIENT_ID, TEMPO_SIM_CLIENT_SECRET, type TempoSimulator } from '../simulators/tempo.js';
import { ROOT, runCli, tempDir } from './support/core.js';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'tempo', 'season-2021-2022.csv');

/** The fixture read by hand (not by the code under test). */
const SEASON = new Map(
  fs
    .readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => /^\d{4}-\d{2}-\d{2},/.test(l))
    .map((l) => l.split(',') as [string, string]),
);
const countUpTo = (colour: string, lastDay: string) => [...SEASON].filter(([d, c]) => d <= lastDay && c === colour).length;

interface TempoJson {
  source: string;
  today: { date: string; colour: string | null };
  tomorrow: { date: string; colour: string | null; published: boolean };
  in_effect: { day: string; colour: string | null };
  season: {
    season: string;
    red: { used: number; remaining: number; quota: number };
    white: { used: number; remaining: number; quota: number };
    blue: { used: number };
    unknown: number;
  };
  missing: string[];
  error: { code: string; message: string } | null;
  calls: number;
}

let sim: TempoSimulator;
const lastQuery = () => Object.fromEntries(new URL(sim.log.at(-1)!.split(' ')[1]!, 'http://x').searchParams);
const dirs: string[] = [];
function env(extra: Record<string, string> = {}): Record<string, string> {
  const stateDir = tempDir('jeelinky-tempo-');
  dirs.push(stateDir);
  return {
    JEELINKY_STATE_DIR: stateDir,
    JEELINKY_TEMPO_URL: sim.url,
    JEELINKY_PACE_MS: '0',
    JEELINKY_RETRY_BASE_MS: '10',
    JEELINKY_TIMEOUT_MS: '2000',
    ...extra,
  };
}
async function tempo(e: Record<string, string>, now: string, ...args: string[]) {
  const r = await runCli(['tempo', '--json', '--now', now, ...args], e);
  let json: TempoJson | undefined;
  try {
    json = JSON.parse(r.stdout) as TempoJson;
  } catch {
    json = undefined;
  }
  return { ...r, json };
}

beforeAll(async () => {
  sim = await startTempoSimulator({ days: SEASON as Map<string, 'BLUE' | 'WHITE' | 'RED'> });
});
afterEach(() => {
  sim.fault = undefined;
  sim.until = undefined;
  sim.missing.clear();
});
afterAll(async () => {
  await sim.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('the fixture', () => {
  it('is a whole season that meets the quotas: 22 red, 43 white, 300 blue', () => {
    expect(SEASON.size).toBe(365);
    expect(countUpTo('RED', '2022-08-31')).toBe(22);
    expect(countUpTo('WHITE', '2022-08-31')).toBe(43);
    expect(countUpTo('BLUE', '2022-08-31')).toBe(300);
  });
});

describe('jeelinky tempo, RTE open data (default source)', () => {
  it("gives today's and tomorrow's colour after 10:30, the season's counts, and asks once: known days are never asked again", async () => {
    const e = env();
    sim.until = '2022-01-11';
    const before = sim.requests.openData;
    const r = await tempo(e, '2022-01-10T11:00:00+01:00');
    expect(r.code, r.stderr).toBe(0);
    const j = r.json!;
    expect(j.source).toBe('rte');
    expect(j.today).toEqual({ date: '2022-01-10', colour: 'RED' });
    expect(j.tomorrow).toEqual({ date: '2022-01-11', colour: 'RED', published: true });
    expect(j.season.red).toEqual({ quota: 22, used: countUpTo('RED', '2022-01-11'), remaining: 22 - countUpTo('RED', '2022-01-11') });
    expect(j.season.white.used).toBe(countUpTo('WHITE', '2022-01-11'));
    expect(j.missing).toEqual([]);
    expect(sim.requests.openData - before).toBe(1);
    expect(sim.log.at(-1)).toBe('GET /cms/open_data/v1/tempo?season=2021-2022');

    // The next day at 11:00: only the one new day (tomorrow) is unknown, so one request; then none.
    sim.until = '2022-01-12';
    const again = await tempo(e, '2022-01-10T11:20:00+01:00');
    expect(again.json!.calls).toBe(0);
    expect(sim.requests.openData - before).toBe(1);
    const next = await tempo(e, '2022-01-11T11:00:00+01:00');
    expect(next.json!.tomorrow.colour).toBe(SEASON.get('2022-01-12'));
    expect(sim.requests.openData - before).toBe(2);
    await tempo(e, '2022-01-11T15:00:00+01:00');
    expect(sim.requests.openData - before).toBe(2);
  });

  it('before 10:30 tomorrow is not asked for (even when a pre-announcement is out) and is listed without colour', async () => {
    const e = env();
    sim.until = '2022-01-11'; // the source already shows tomorrow: a pre-announcement
    const r = await tempo(e, '2022-01-10T09:00:00+01:00');
    expect(r.code).toBe(0);
    expect(r.json!.tomorrow).toEqual({ date: '2022-01-11', colour: null, published: false });
    expect(r.json!.missing).toEqual(['2022-01-11']);
    const human = await runCli(['tempo', '--now', '2022-01-10T09:05:00+01:00'], e);
    expect(human.stdout).toContain('tomorrow  2022-01-11  not published yet (RTE publishes it at 10:30)');
    expect(human.stdout).toContain('days without colour (1 of 2021-09-01 → 2022-01-11): 2022-01-11');
    expect(human.stdout).toContain('today     2022-01-10  RED');
    // At 10:31 it is asked, and the binding colour taken.
    const later = await tempo(e, '2022-01-10T10:31:00+01:00');
    expect(later.json!.tomorrow.colour).toBe('RED');
  });

  it('the Tempo day in effect before 06:00 is the one that started the day before', async () => {
    const r = await tempo(env(), '2022-01-10T05:30:00+01:00');
    expect(r.json!.in_effect).toEqual({ day: '2022-01-09', colour: SEASON.get('2022-01-09') });
    expect(SEASON.get('2022-01-09')).not.toBe(SEASON.get('2022-01-10'));
  });

  it('counts for the whole season match the quotas (22 red, 43 white) on the real season', async () => {
    const r = await tempo(env(), '2022-08-31T12:00:00+02:00');
    expect(r.code).toBe(0);
    expect(r.json!.season.red).toEqual({ quota: 22, used: 22, remaining: 0 });
    expect(r.json!.season.white).toEqual({ quota: 43, used: 43, remaining: 0 });
    expect(r.json!.season.blue.used).toBe(300);
    expect(r.json!.season.unknown).toBe(0);
    // 2022-09-01 belongs to a season the simulator does not have: it is reported without colour.
    expect(r.json!.missing).toEqual(['2022-09-01']);
  });

  it('an outage (HTTP 500) exits 0, reports every day without colour, bounds its retries and then waits 15 minutes', async () => {
    const e = env();
    sim.fault = { kind: 'http500' };
    const before = sim.requests.openData;
    const r = await tempo(e, '2022-01-10T12:00:00+01:00');
    expect(r.code).toBe(0);
    expect(r.json!.error?.code).toBe('rte_unavailable');
    expect(r.json!.today.colour).toBeNull();
    expect(r.json!.missing).toHaveLength(133); // 2021-09-01 → 2022-01-11
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^jeelinky: warning: RTE Tempo open data .*HTTP 500.*run again later/);
    expect(sim.requests.openData - before).toBe(3); // one call and two retries
    // Run again at once: no new request (don't hammer), the days are still reported.
    const soon = await tempo(e, '2022-01-10T12:05:00+01:00');
    expect(soon.code).toBe(0);
    expect(soon.json!.missing).toHaveLength(133);
    expect(sim.requests.openData - before).toBe(3);
    // RTE back, 16 minutes later: everything known.
    sim.fault = undefined;
    const back = await tempo(e, '2022-01-10T12:16:00+01:00');
    expect(back.json!.missing).toEqual([]);
    expect(back.json!.error).toBeNull();
  });

  it('a hanging server and a malformed answer are temporary: exit 0, days without colour, one line each', async () => {
    sim.fault = { kind: 'hang' };
    const hang = await tempo(env({ JEELINKY_TIMEOUT_MS: '300', JEELINKY_RETRY_BASE_MS: '0' }), '2022-01-10T12:00:00+01:00');
    expect(hang.code).toBe(0);
    expect(hang.json!.error?.code).toBe('network_error');
    expect(hang.stderr).toMatch(/no answer within/);
    expect(hang.json!.missing).toContain('2022-01-10');

    sim.fault = { kind: 'malformed' };
    const bad = await tempo(env(), '2022-01-10T12:00:00+01:00');
    expect(bad.code).toBe(0);
    expect(bad.json!.error?.code).toBe('malformed_json');
    expect(bad.json!.missing).toContain('2022-01-10');
  });
});

describe('jeelinky tempo, RTE OAuth API ("Tempo Like Supply Contract")', () => {
  const creds = { JEELINKY_RTE_CLIENT_ID: TEMPO_SIM_CLIENT_ID, JEELINKY_RTE_CLIENT_SECRET: TEMPO_SIM_CLIENT_SECRET };

  it('is used when the client id and secret are set: one token, one calendar call, days RTE lacks reported', async () => {
    sim.until = '2022-01-11';
    sim.missing.add('2021-12-28');
    const before = { ...sim.requests };
    const e = env(creds);
    const r = await tempo(e, '2022-01-10T12:00:00+01:00');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.source).toBe('rte-api');
    expect(r.json!.today.colour).toBe('RED');
    expect(r.json!.tomorrow.colour).toBe('RED');
    expect(r.json!.missing).toEqual(['2021-12-28']);
    expect(r.json!.season.unknown).toBe(1);
    expect(sim.requests.token - before.token).toBe(1);
    expect(sim.requests.calendar - before.calendar).toBe(1);
    expect(sim.log.at(-1)).toMatch(/^GET \/open_api\/tempo_like_supply_contract\/v1\/tempo_like_calendars\?/);
    expect(lastQuery()).toEqual({ start_date: '2021-09-01T00:00:00+02:00', end_date: '2022-01-12T00:00:00+01:00' });
    expect(r.stdout + r.stderr).not.toContain(TEMPO_SIM_CLIENT_SECRET);
    // The missing day is asked again (after the quiet time), only it.
    sim.missing.clear();
    const later = await tempo(e, '2022-01-10T12:20:00+01:00');
    expect(later.json!.missing).toEqual([]);
    expect(lastQuery()).toEqual({ start_date: '2021-12-28T00:00:00+01:00', end_date: '2021-12-29T00:00:00+01:00' });
  });

  it('a refused secret exits 78 naming the setting, never printing the secret, and still prints what is known', async () => {
    const wrong = 'not-the-right-secret-4242';
    const r = await tempo(env({ ...creds, JEELINKY_RTE_CLIENT_SECRET: wrong }), '2022-01-10T12:00:00+01:00');
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/JEELINKY_RTE_CLIENT_SECRET/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.json!.error?.code).toBe('tempo_credentials');
    expect(r.json!.missing).toContain('2022-01-10');
    expect(r.stdout + r.stderr).not.toContain(wrong);

    sim.fault = { kind: 'token401' };
    const refused = await tempo(env(creds), '2022-01-10T12:00:00+01:00');
    expect(refused.code).toBe(78);
    expect(refused.stderr).toMatch(/JEELINKY_RTE_CLIENT_ID and JEELINKY_RTE_CLIENT_SECRET/);
  });

  it('rte-api without a secret is a setting to fix (78), named', async () => {
    const r = await tempo(
      env({ JEELINKY_TEMPO_SOURCE: 'rte-api', JEELINKY_RTE_CLIENT_ID: TEMPO_SIM_CLIENT_ID }),
      '2022-01-10T12:00:00+01:00',
    );
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/JEELINKY_TEMPO_SOURCE=rte-api needs JEELINKY_RTE_CLIENT_SECRET/);
  });
});

describe('jeelinky tempo, the user calendar file', () => {
  it('JEELINKY_TEMPO_SOURCE=file reads the file only (no request) and its counts meet the quotas', async () => {
    const before = { ...sim.requests };
    const r = await tempo(
      env({ JEELINKY_TEMPO_SOURCE: 'file', JEELINKY_TEMPO_FILE: FIXTURE }),
      '2022-08-31T12:00:00+02:00',
      '--since',
      '2021-09-01',
      '--until',
      '2022-08-31',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.source).toBe('file');
    expect(r.json!.season.red).toEqual({ quota: 22, used: 22, remaining: 0 });
    expect(r.json!.season.white).toEqual({ quota: 43, used: 43, remaining: 0 });
    expect(r.json!.missing).toEqual([]);
    expect(sim.requests).toEqual(before);
  });

  it('corrects the RTE source: the file wins, in CSV and in JSON', async () => {
    const dir = tempDir('jeelinky-tempo-file-');
    dirs.push(dir);
    const csv = path.join(dir, 'fix.csv');
    fs.writeFileSync(csv, 'date,colour\n# RTE was wrong that day\n2022-01-10;blanc\n');
    const r = await tempo(env({ JEELINKY_TEMPO_FILE: csv }), '2022-01-10T12:00:00+01:00');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.source).toBe('rte+file');
    expect(r.json!.today.colour).toBe('WHITE');
    expect(r.json!.season.red.used).toBe(countUpTo('RED', '2022-01-11') - 1);

    const json = path.join(dir, 'fix.json');
    fs.writeFileSync(json, JSON.stringify({ '2022-01-10': 'BLUE' }));
    const j = await tempo(env({ JEELINKY_TEMPO_FILE: json }), '2022-01-10T12:00:00+01:00');
    expect(j.json!.today.colour).toBe('BLUE');
  });

  it('a bad line is 78 naming JEELINKY_TEMPO_FILE and the line', async () => {
    const dir = tempDir('jeelinky-tempo-file-');
    dirs.push(dir);
    const csv = path.join(dir, 'bad.csv');
    fs.writeFileSync(csv, '2022-01-10,RED\n2022-01-11,PURPLE\n');
    const r = await tempo(env({ JEELINKY_TEMPO_FILE: csv }), '2022-01-10T12:00:00+01:00');
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/JEELINKY_TEMPO_FILE: .*bad\.csv line 2: "2022-01-11,PURPLE" is not a day and a colour/);
  });
});

describe('jeelinky tempo, settings a person must fix', () => {
  it('https:// on the plain simulator port is 78 naming JEELINKY_TEMPO_URL; an unknown source is 78 naming JEELINKY_TEMPO_SOURCE', async () => {
    const https = await tempo(env({ JEELINKY_TEMPO_URL: sim.url.replace('http:', 'https:') }), '2022-01-10T12:00:00+01:00');
    expect(https.code).toBe(78);
    expect(https.stderr).toMatch(/^jeelinky: JEELINKY_TEMPO_URL: .* answers plain HTTP, not HTTPS/);
    expect(https.json!.missing).toContain('2022-01-10');

    const source = await tempo(env({ JEELINKY_TEMPO_SOURCE: 'edf' }), '2022-01-10T12:00:00+01:00');
    expect(source.code).toBe(78);
    expect(source.stderr).toMatch(/JEELINKY_TEMPO_SOURCE="edf": use rte/);
  });
});

describe('jeelinky tempo --help', () => {
  it('documents the flags', async () => {
    const r = await runCli(['tempo', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--since', '--until', '--json', '--now']) expect(r.stdout).toContain(flag);
    expect(r.stdout).toContain('jeelinky tempo');
    const bad = await runCli(['tempo', '--colour', 'red']);
    expect(bad.code).toBe(64);
    const list = await runCli(['--help']);
    expect(list.stdout).toMatch(/jeelinky tempo\s+Tempo colours \(RTE\)/);
  });
});
