/**
 * Shared set-up for the runner tests: a fake clock shared by the simulator and the runner (so the
 * device-flow timeline runs instantly and exactly), temporary state directories, and a way to run
 * the real CLI as a child process.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveConfig, type ConfigOverrides, type JeelinkyConfig } from '../../plugin/config.js';
import { startEnedisSimulator, type EnedisSimulator, type EnedisSimulatorOptions } from '../../simulators/enedis.js';
import { runScenario, type RunOptions, type RunReport } from '../../plugin/runner/index.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = path.join(ROOT, 'dist', 'scenario', 'cli.js');
export const PDL = '00000000000001';

/** A clock that only moves when someone sleeps on it. */
export class FakeClock {
  constructor(public t: number) {}
  now = (): Date => new Date(this.t);
  sleep = async (ms: number): Promise<void> => {
    this.t += ms;
    await new Promise((r) => setImmediate(r));
  };
}

export function tempDir(prefix = 'jeelinky-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Harness {
  sim: EnedisSimulator;
  clock: FakeClock;
  config: JeelinkyConfig;
  run(options?: RunOptions): Promise<RunReport>;
  pairNow(usagePoints?: string[]): Promise<RunReport>;
  close(): Promise<void>;
}

/** A simulator and a runner sharing a fake clock set at `isoNow` (an instant with offset). */
export async function harness(
  isoNow: string,
  simOptions: EnedisSimulatorOptions = {},
  configOverrides: ConfigOverrides = {},
): Promise<Harness> {
  const clock = new FakeClock(Date.parse(isoNow));
  const sim = await startEnedisSimulator({ now: clock.now, limitPerMinute: 0, enedisQuota: false, ...simOptions });
  const config = resolveConfig(
    {
      authUrl: sim.url,
      apiUrl: sim.url,
      stateDir: tempDir(),
      paceMs: 0,
      retryBaseMs: 10,
      lockWaitMs: 5000,
      dailyCallBudget: 0,
      ...configOverrides,
    },
    {},
  );
  const run = (options: RunOptions = {}) => runScenario(options, { config, now: clock.now, sleep: clock.sleep });
  return {
    sim,
    clock,
    config,
    run,
    pairNow: async (usagePoints = [PDL]) => {
      const code = await run({ code: true });
      if (!code.pairing) throw new Error(`no pairing in ${JSON.stringify(code)}`);
      sim.approve(code.pairing.userCode, usagePoints);
      return run({ firstConnexion: true });
    },
    close: async () => {
      await sim.close();
      fs.rmSync(config.stateDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every CLI output of the suite, kept for the secret scan run after the tests (test/support/secret-scan.ts). */
export const CLI_OUTPUT_LOG = path.join(ROOT, 'test-artifacts', 'cli-output.log');
function keepOutput(args: string[], stdout: string, stderr: string): void {
  fs.mkdirSync(path.dirname(CLI_OUTPUT_LOG), { recursive: true });
  fs.appendFileSync(CLI_OUTPUT_LOG, `$ jeelinky ${args.join(' ')}\n${stdout}${stderr}\n`);
}

/** The fault suite's crash and full-disk points (read from JEELINKY_TEST_*), loaded into the CLI only when asked for. */
const FAULT_HOOKS = pathToFileURL(path.join(ROOT, 'test', 'support', 'fault-hooks.mjs')).href;

/** `node` arguments before the CLI's own: the fault hooks when the environment sets a JEELINKY_TEST_* variable. */
function nodeArgs(env: Record<string, string>): string[] {
  return Object.keys(env).some((k) => k.startsWith('JEELINKY_TEST_')) ? ['--import', FAULT_HOOKS, CLI] : [CLI];
}

/** Runs the built CLI with only the given JEELINKY_* variables (the user's own never leak in). */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<CliResult> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), TZ: 'America/Los_Angeles' };
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs(env), ...args], { env: { ...base, ...env }, timeout: timeoutMs }, (err, stdout, stderr) => {
      keepOutput(args, stdout, stderr);
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: NodeJS.Signals }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        signal: e?.signal ?? null,
        stdout,
        stderr,
      });
    });
  });
}

/** Starts the CLI without waiting: its pid (to send it signals) and its result. */
export function spawnCli(args: string[], env: Record<string, string>): { pid: number; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [...nodeArgs(env), ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) =>
    child.on('close', (code, signal) => {
      keepOutput(args, stdout, stderr);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { pid: child.pid!, done };
}

/** Starts the CLI without waiting (for concurrency tests). */
export function startCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return spawnCli(args, env).done;
}

/** The environment pointing the CLI at a simulator and a state directory. */
export function cliEnv(sim: EnedisSimulator, stateDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    JEELINKY_AUTH_URL: sim.url,
    JEELINKY_API_URL: sim.url,
    JEELINKY_STATE_DIR: stateDir,
    JEELINKY_PACE_MS: '0',
    JEELINKY_RETRY_BASE_MS: '10',
    ...extra,
  };
}

/** Every secret the simulator ever issued: none may appear in clear in any output. */
export function issuedSecrets(sim: EnedisSimulator): string[] {
  return [...sim.issuedAccessTokens, ...sim.issuedRefreshTokens];
}
