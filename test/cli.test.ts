/**
 * The real CLI as a child process against the simulator over loopback: pairing both ways, the
 * daily job, status, exit codes, concurrent runs, and a crash right after a rotated refresh token.
 */
import fs from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEnedisSimulator, type EnedisSimulator } from '../simulators/enedis.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { cliEnv, CLI, issuedSecrets, PDL, runCli, startCli, tempDir } from './support/core.js';

let sim: EnedisSimulator;
let stateDir: string;

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before the tests (npm test does)`);
});

afterEach(async () => {
  await sim?.close();
  if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
});

async function setUp(options: Parameters<typeof startEnedisSimulator>[0] = {}) {
  sim = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, ...options });
  stateDir = tempDir();
  return cliEnv(sim, stateDir);
}

function allOutput(r: { stdout: string; stderr: string }) {
  return r.stdout + r.stderr;
}

describe('jeelinky CLI', () => {
  it('--help on every command, and exit 64 on an unknown flag', async () => {
    for (const cmd of ['run', 'pair', 'status', 'demo']) {
      const r = await runCli([cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`jeelinky ${cmd}`);
    }
    const bad = await runCli(['run', '--no-such-flag']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/unknown flag --no-such-flag for jeelinky run/);
  });

  it('pair in one go at a terminal, then the daily job, then status', async () => {
    const env = await setUp({ autoApprove: { usagePoints: [PDL], afterPolls: 0 } });
    const pair = await runCli(['pair'], env);
    expect(pair.code).toBe(0);
    expect(pair.stderr).toMatch(/\/device\?code=[A-Z]{4}-[A-Z]{4}/);
    expect(pair.stdout).toContain(`Paired. PDL: ${PDL}`);

    const run = await runCli(['run', '--json'], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.kinds.map((k: { kind: string }) => k.kind)).toEqual(['daily_consumption', 'max_power', 'load_curve']);
    expect(report.meteringCalls).toBe(3);

    const again = await runCli(['run', '--json'], env);
    expect(JSON.parse(again.stdout).meteringCalls).toBe(0);

    const status = await runCli(['status', '--json'], env);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout);
    expect(s).toMatchObject({ paired: true, usagePoints: [PDL], usagePoint: PDL, accessTokenValid: true, pendingRetry: null });
    expect(s.kinds.find((k: { kind: string }) => k.kind === 'daily_consumption').lastDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(s.callsToday.metering).toBe(3);
    // The forum scenario's six figures, kept in the store's summary.
    expect(s.figures.figures.map((f: { logicalId: string }) => f.logicalId)).toEqual([
      'stats_day_kwh',
      'stats_this_week_kwh',
      'stats_last_week_kwh',
      'stats_this_month_kwh',
      'stats_last_month_kwh',
      'stats_this_year_kwh',
    ]);
    const dayFigure = s.figures.figures[0];
    expect(dayFigure.days).toBe(1);
    expect(dayFigure.kwh).toBeGreaterThan(0);

    for (const r of [pair, run, again, status]) for (const secret of issuedSecrets(sim)) expect(allOutput(r)).not.toContain(secret);
  });

  it('pairs step by step as a Jeedom scenario does: --code, approve, --first-connexion', async () => {
    const env = await setUp();
    const code = await runCli(['run', '--code'], env);
    expect(code.code).toBe(0);
    const userCode = /code=([A-Z]{4}-[A-Z]{4})/.exec(code.stdout)?.[1];
    expect(userCode).toBeDefined();
    expect(code.stdout).toMatch(/valid until/);
    sim.approve(userCode!, [PDL]);
    const first = await runCli(['run', '--first-connexion', '--json'], env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).tokens).toMatchObject({ paired: true, usagePoints: [PDL] });
    const tokens = await new TokenState(await StateStore.open(stateDir)).getTokens();
    expect(tokens?.refreshToken).toBe(sim.currentRefreshToken());
    // --since takes PHP strtotime expressions, resolved in Europe/Paris whatever the process TZ.
    const since = await runCli(['run', '--daily-consumption', '--since', '-10 days', '--json'], env);
    expect(since.code).toBe(0);
    const parisToday = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
    const expectedFrom = new Date(Date.parse(`${parisToday}T12:00:00Z`) - 10 * 86400_000).toISOString().slice(0, 10);
    expect(JSON.parse(since.stdout).kinds[0].from).toBe(expectedFrom);
    const mode = fs.statSync(stateDir).mode & 0o777;
    expect(mode).toBe(0o700);
    for (const f of fs.readdirSync(`${stateDir}/data`)) expect(fs.statSync(`${stateDir}/data/${f}`).mode & 0o777).toBe(0o600);
  });

  it('exit codes a scheduler can act on: 78 not paired, 78 bad configuration, one line each', async () => {
    const env = await setUp();
    const notPaired = await runCli(['run'], env);
    expect(notPaired.code).toBe(78);
    expect(notPaired.stdout + notPaired.stderr).toMatch(/jeelinky pair/);
    const badTz = await runCli(['run'], { ...env, JEELINKY_TZ: 'Mars/Olympus' });
    expect(badTz.code).toBe(78);
    expect(badTz.stderr.trim().split('\n')).toHaveLength(1);
    expect(badTz.stderr).toMatch(/unknown time zone "Mars\/Olympus"/);
    const badPace = await runCli(['status'], { ...env, JEELINKY_PACE_MS: 'fast' });
    expect(badPace.code).toBe(78);
    expect(badPace.stderr).toMatch(/JEELINKY_PACE_MS="fast"/);
  });

  it('two runs at the same instant: one works, the other waits for it and then has nothing to do', async () => {
    const env = await setUp({ autoApprove: { usagePoints: [PDL], afterPolls: 0 }, latencyMs: 150 });
    expect((await runCli(['pair'], env)).code).toBe(0);
    const [a, b] = await Promise.all([startCli(['run', '--json'], env), startCli(['run', '--json'], env)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const calls = [JSON.parse(a.stdout).meteringCalls, JSON.parse(b.stdout).meteringCalls].sort();
    expect(calls).toEqual([0, 3]);
    expect(sim.meteringCalls()).toHaveLength(3);
  });

  it('with no wait allowed, the second concurrent run exits 75 and says why', async () => {
    const env = await setUp({ autoApprove: { usagePoints: [PDL], afterPolls: 0 }, latencyMs: 300 });
    expect((await runCli(['pair'], env)).code).toBe(0);
    const noWait = { ...env, JEELINKY_LOCK_WAIT_MS: '0' };
    const [a, b] = await Promise.all([startCli(['run'], noWait), startCli(['run'], noWait)]);
    expect([a.code, b.code].sort()).toEqual([0, 75]);
    const loser = a.code === 75 ? a : b;
    expect(loser.stderr).toMatch(/another jeelinky run/);
  });

  it('a crash right after a rotated refresh token is saved: the new token survives and the next run completes', async () => {
    const env = await setUp({ autoApprove: { usagePoints: [PDL], afterPolls: 0 }, rotateRefreshToken: true });
    expect((await runCli(['pair'], env)).code).toBe(0);
    // The proxy forgets the access token: the run must refresh, and the proxy rotates the refresh token.
    sim.expireAccessTokens();
    const crashed = await runCli(['run'], { ...env, JEELINKY_TEST_CRASH_AFTER: 'key:tokens' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(sim.issuedRefreshTokens).toHaveLength(2);
    const saved = await new TokenState(await StateStore.open(stateDir)).getTokens();
    expect(saved?.refreshToken).toBe(sim.currentRefreshToken());
    const next = await runCli(['run', '--json'], env);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).ok).toBe(true);
    expect(sim.reusedRefreshTokens).toEqual([]);
  });

  it('demo runs end to end on its embedded simulator', async () => {
    const r = await runCli(['demo', '--days', '10', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.days).toHaveLength(10);
    for (const d of out.days) {
      expect(d.consumptionKwh).toBeGreaterThan(0);
      expect(d.loadCurveKwh).toBeCloseTo(d.consumptionKwh, 9);
      expect(d.maxPowerVa).toBeGreaterThan(0);
    }
  });
});
