/**
 * Fault suite, environment: damaged state files, a full disk, concurrent runs of every command,
 * and Jeedom going away in the middle of an import. One clear line, the documented exit code,
 * nothing lost. Tallies go to test-artifacts/fault-report.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { faultTally } from './support/fault-tally.js';
import { deviceLogicalId } from '../plugin/jeedom/virtual.js';
import type { EnedisSimulatorOptions } from '../simulators/enedis.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { localDay } from '../plugin/time/local.js';
import { PDL, runCli, startCli } from './support/core.js';
import { jeedomWithDevice, Opened } from './support/world.js';

const record = faultTally();

const opened = new Opened();
afterEach(() => opened.closeAll());

/** A paired state folder whose lock is taken over after 2 s, and the environment to use it. */
const paired = (enedis: EnedisSimulatorOptions = {}) =>
  opened.world({ enedis, env: { JEELINKY_LOCK_STALE_MS: '2000' }, pair: true, prefix: 'jeelinky-state-' });

async function fileOf(dir: string, key: string): Promise<string> {
  return (await StateStore.open(dir)).fileOf(key);
}

describe('damaged state files', () => {
  const damages: Array<[string, (text: string) => string]> = [
    ['truncated', (t) => t.slice(0, Math.floor(t.length / 2))],
    ['emptied', () => ''],
    ['of the wrong JSON shape', () => JSON.stringify({ key: 'tokens', value: { accessToken: 42 } })],
    ['from an older version', () => JSON.stringify({ key: 'tokens', value: { token: 'abc', v: 0 } })],
    ['not JSON at all', () => '\u0000\u0001garbage'],
  ];
  for (const [how, damage] of damages) {
    it(`tokens file ${how}: one line naming the file and what to do, exit 78, the file left as it was`, async () => {
      const { env, dir } = await paired();
      const file = await fileOf(dir, 'tokens');
      fs.writeFileSync(file, damage(fs.readFileSync(file, 'utf8')));
      const before = fs.readFileSync(file);
      const r = await runCli(['run'], env);
      expect(r.code).toBe(78);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(file);
      expect(lines[0]).toMatch(/damaged: move it aside/);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/); // no stack trace
      expect(fs.readFileSync(file)).toEqual(before); // never silently reset
      record(`state: tokens ${how}`, 0);
    });
  }

  it('a damaged month of readings: named, exit 78; once moved aside the next run fetches it again', async () => {
    const { env, enedis, dir } = await paired();
    expect((await runCli(['run', '--daily-consumption'], env)).code).toBe(0);
    const month = localDay(Date.now() - 86400_000, 'Europe/Paris').slice(0, 7);
    const file = await fileOf(dir, `readings:${PDL}:daily_consumption:${month}`);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 40));
    const r = await runCli(['run', '--daily-consumption'], env);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(file);
    fs.renameSync(file, `${file}.damaged`);
    const again = await runCli(['run', '--daily-consumption', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).kinds[0].missingDays).toEqual([]);
    // The tokens were never touched.
    expect((await new TokenState(await StateStore.open(dir)).getTokens())?.refreshToken).toBe(enedis.currentRefreshToken());
    record('state: readings month truncated', 0);
  });

  it('a damaged config.json: one line naming it, exit 78', async () => {
    const { env, dir } = await paired();
    fs.writeFileSync(path.join(dir, 'config.json'), '{"paceMs": ');
    const r = await runCli(['status'], env);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(path.join(dir, 'config.json'));
    record('state: config.json truncated', 0);
  });
});

describe('a full disk', () => {
  it('fails clearly before spending a refresh token it could not save', async () => {
    const { env, enedis, dir } = await paired({ rotateRefreshToken: true });
    enedis.expireAccessTokens();
    // The disk fills up after n more writes, at every point of a refresh.
    for (let n = 0; n <= 4; n++) {
      const r = await runCli(['run', '--refresh-token'], { ...env, JEELINKY_TEST_FAIL_WRITES_AFTER: String(n) });
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(1);
      if (r.code !== 0) {
        expect(r.code).toBe(78);
        expect(r.stderr).toMatch(/ENOSPC|no space|cannot save/);
      }
      // Whatever the point: the token held is the newest the proxy issued (a rotated token is
      // saved with the disk's reserve), or no refresh was asked at all.
      expect((await new TokenState(await StateStore.open(dir)).getTokens())?.refreshToken).toBe(enedis.currentRefreshToken());
    }
    // Full from the start: nothing is asked of the proxy.
    const refreshes = enedis.calls.filter((c) => c.form?.grant_type === 'refresh_token').length;
    const full = await runCli(['run', '--refresh-token'], { ...env, JEELINKY_TEST_FAIL_WRITES_AFTER: '0' });
    expect(full.code).toBe(78);
    expect(full.stderr).toMatch(/nothing was asked of the proxy/);
    expect(enedis.calls.filter((c) => c.form?.grant_type === 'refresh_token').length).toBe(refreshes);
    const ok = await runCli(['run'], env);
    expect(ok.code).toBe(0);
    expect(enedis.reusedRefreshTokens).toEqual([]);
    record('full disk before a refresh', 0);
  });

  it('a full disk in the middle of a fetch: exit 78, nothing half-written, the next run completes', async () => {
    const { env } = await paired();
    const r = await runCli(['run'], { ...env, JEELINKY_TEST_FAIL_WRITES_AFTER: '4' });
    expect(r.code).toBe(78);
    const ok = await runCli(['run', '--json'], env);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).kinds.every((k: { missingDays: string[] }) => k.missingDays.length === 0)).toBe(true);
    record('full disk during a fetch', 0);
  });
});

describe('concurrent runs', () => {
  it('two, then five commands at the same instant: one at a time, no reused token, no lost or doubled point', async () => {
    const { env, enedis, jeedom, dir } = await opened.world({
      enedis: { rotateRefreshToken: true, latencyMs: 40 },
      jeedom: true,
      env: { JEELINKY_LOCK_WAIT_MS: '60000' },
      pair: true,
      prefix: 'jeelinky-concurrent-',
    });
    const setups = await Promise.all([
      startCli(['jeedom', 'setup', '--usage-point', PDL], env),
      startCli(['jeedom', 'setup', '--usage-point', PDL], env),
    ]);
    expect(setups.map((s) => s.code)).toEqual([0, 0]);
    expect(jeedom.eqLogics().filter((e) => e.logicalId === deviceLogicalId(PDL))).toHaveLength(1);

    enedis.expireAccessTokens(); // every run would like to refresh
    const mixed = await Promise.all([
      startCli(['run'], env),
      startCli(['backfill', '--since', '-20 days'], env),
      startCli(['run', '--refresh-token'], env),
      startCli(['jeedom', 'setup', '--usage-point', PDL], env),
      startCli(['run', '--json'], env),
    ]);
    expect(mixed.map((m) => m.code)).toEqual([0, 0, 0, 0, 0]);
    expect(enedis.reusedRefreshTokens).toEqual([]);
    const store = await StateStore.open(dir);
    expect((await new TokenState(store).getTokens())?.refreshToken).toBe(enedis.currentRefreshToken());
    const today = localDay(Date.now(), 'Europe/Paris');
    const from = localDay(Date.now() - 20 * 86400_000, 'Europe/Paris');
    const curve = await new ReadingsStore(store).readings(PDL, 'load_curve', from, today);
    expect(curve.length).toBe(enedis.expectedReadings('load_curve', PDL, from, today).length);
    const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
    const rows = jeedom.history(jeedom.cmdByLogicalId(device.id, 'load_curve_energy')!.id).map((r) => r.datetime);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.length).toBeGreaterThanOrEqual(curve.length - 2); // the October merge only
    record('concurrent: 2 jeedom setup', 0);
    record('concurrent: 5 mixed commands', 0);
  }, 120_000);

  it('a stale lock left by a killed run is recovered automatically', async () => {
    const { env, dir } = await paired();
    const killed = await runCli(['run'], { ...env, JEELINKY_TEST_CRASH_AFTER: '2' });
    expect(killed.signal).toBe('SIGKILL');
    expect(fs.existsSync(path.join(dir, 'run.lock'))).toBe(true);
    const next = await runCli(['run'], env);
    expect(next.code).toBe(0);
    record('stale lock after kill -9', 0);
  });
});

describe('Jeedom in trouble during an import', () => {
  for (const fault of ['reset', 'html', 'http500', 'timeout'] as const) {
    it(`Jeedom ${fault} in the middle: the run succeeds, readings stay pending, the next run completes the history`, async () => {
      const { env } = await paired();
      const jeedom = opened.track(await jeedomWithDevice());
      const withJeedom = { ...env, JEELINKY_JEEDOM_URL: jeedom.url, JEELINKY_JEEDOM_APIKEY: jeedom.apikey, JEELINKY_TIMEOUT_MS: '2000' };
      // Let the import start, then break Jeedom for good (a restart that takes a while).
      setTimeout(() => jeedom.setFault({ kind: fault, method: 'cmd::event' }), 150);
      const first = await runCli(['run', '--json'], withJeedom);
      expect(first.code).toBe(0);
      jeedom.setFault(null);
      const second = await runCli(['run', '--json'], withJeedom);
      expect(second.code).toBe(0);
      const sink = JSON.parse(second.stdout).sinks.find((s: { sink: string }) => s.sink === 'jeedom');
      expect(sink.error).toBeUndefined();
      const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
      const rows = jeedom.history(jeedom.cmdByLogicalId(device.id, 'load_curve_power')!.id).map((r) => r.datetime);
      expect(new Set(rows).size).toBe(rows.length);
      expect(rows.length).toBeGreaterThanOrEqual(7 * 46);
      record(`Jeedom ${fault} mid-import`, 0);
    }, 60_000);
  }
});
