/**
 * `jeelinky jeedom setup` as a child process (the built dist/scenario/cli.js) against the simulator:
 * flags over variables, dry run, twice, JSON, exit codes, the API key never printed.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { PDL } from './jeedom-fixtures.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist/scenario/cli.js');
const BUILT = path.join(ROOT, 'dist/scenario/commands/jeedom.js');
const SOURCE = path.join(ROOT, 'scenario/commands/jeedom.ts');

let sim: JeedomSimulator;
let stateDir: string;

beforeAll(() => {
  // `npm test` builds first; building here would rewrite dist/ under the other files' running CLIs.
  if (!fs.existsSync(BUILT) || fs.statSync(BUILT).mtimeMs < fs.statSync(SOURCE).mtimeMs) {
    throw new Error(`${BUILT} is missing or older than its source: run "npm run build" first (npm test does)`);
  }
}, 120_000);
beforeEach(async () => {
  sim = await startJeedomSimulator();
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jeelinky-jeedom-cli-'));
});
afterEach(async () => {
  await sim.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('JEELINKY_')) base[k] = v;
  return new Promise((resolve) => {
    execFile(
      'node',
      [CLI, ...args],
      { cwd: ROOT, env: { ...base, JEELINKY_STATE_DIR: stateDir, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const envFor = () => ({ JEELINKY_JEEDOM_URL: sim.url, JEELINKY_JEEDOM_APIKEY: sim.apikey, JEELINKY_USAGE_POINT_ID: PDL });

describe('jeelinky jeedom setup', () => {
  it('--help describes the flags', async () => {
    const r = await run(['jeedom', 'setup', '--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--equipment', '--dry-run', '--json', '--jeedom-url', '--jeedom-apikey', '--usage-point'])
      expect(r.stdout).toContain(flag);
  });

  it('dry run, then setup, then nothing to change', async () => {
    const dry = await run(['jeedom', 'setup', '--dry-run', '--equipment', '[Maison][Compteur électrique]'], envFor());
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/\+ device \[Maison\]\[Compteur électrique\]/);
    expect(dry.stdout).toMatch(/would be made \(dry run/);
    expect(sim.eqLogics()).toHaveLength(0);
    const first = await run(['jeedom', 'setup', '--equipment', '[Maison][Compteur électrique]'], envFor());
    expect(first.code).toBe(0);
    expect(sim.eqLogics().map((e) => e.name)).toEqual(['Compteur électrique']);
    const second = await run(['jeedom', 'setup', '--json'], envFor());
    expect(second.code).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report).toMatchObject({ changed: false, changes: [], device: { humanName: '[Maison][Compteur électrique]' } });
    expect(report.commands.load_curve_energy).toBe(sim.cmdByLogicalId(sim.eqLogics()[0]!.id, 'load_curve_energy')!.id);
    expect(second.stdout + first.stdout + dry.stdout).not.toContain(sim.apikey);
  });

  it('flags override the variables', async () => {
    const r = await run(['jeedom', 'setup', '--jeedom-url', sim.url, '--jeedom-apikey', sim.apikey, '--usage-point', '98765432109876'], {
      JEELINKY_JEEDOM_URL: 'http://127.0.0.1:9',
      JEELINKY_JEEDOM_APIKEY: 'not-the-key-not-the-key',
      JEELINKY_USAGE_POINT_ID: PDL,
    });
    expect(r.code).toBe(0);
    expect(sim.eqLogics()[0]!.logicalId).toBe('jeelinky_98765432109876');
  });

  it('exit 78 on a bad key (key not printed), 75 when Jeedom is down, 78 without PDL when Jeedom has several devices', async () => {
    const key = 'ThisIsAWrongButLongApiKey123456';
    const bad = await run(['jeedom', 'setup'], { ...envFor(), JEELINKY_JEEDOM_APIKEY: key });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/refused the API key/);
    expect(bad.stdout + bad.stderr).not.toContain(key);
    const url = sim.url;
    await sim.close();
    const down = await run(['jeedom', 'setup'], { ...envFor(), JEELINKY_JEEDOM_URL: url });
    expect(down.code).toBe(75);
    expect(down.stderr).toMatch(/unreachable/);
    sim = await startJeedomSimulator();
    // Not paired, no PDL given, and Jeedom holds the devices of two PDLs: which one is meant?
    const jeedomOnly = { JEELINKY_JEEDOM_URL: sim.url, JEELINKY_JEEDOM_APIKEY: sim.apikey };
    for (const pdl of [PDL, '98765432109876']) expect((await run(['jeedom', 'setup', '--usage-point', pdl], jeedomOnly)).code).toBe(0);
    const noPdl = await run(['jeedom', 'setup'], jeedomOnly);
    expect(noPdl.code).toBe(78);
    expect(noPdl.stderr).toMatch(/--usage-point/);
    expect(sim.eqLogics()).toHaveLength(2);
  });
});
