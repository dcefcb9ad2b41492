/**
 * The README's library section as a user's Node script meets it: imports from the package name
 * ("jeelinky", resolved through package.json "exports", as an installed package is), never from
 * dist/ paths; the daily job and the tariff through the library against the simulator.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnedisSimulator, type EnedisSimulator } from '../simulators/enedis.js';
import { PDL, ROOT, tempDir } from './support/core.js';

let sim: EnedisSimulator;
let stateDir: string;
let script: string;
beforeAll(async () => {
  sim = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, autoApprove: { usagePoints: [PDL], afterPolls: 0 } });
  stateDir = tempDir('jeelinky-lib-');
  // Inside the package folder, so that "jeelinky" resolves to this package by its exports (self-reference).
  fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
  script = path.join(ROOT, 'test-artifacts', 'library-example.mjs');
  fs.writeFileSync(
    script,
    `import { resolveConfig, runScenario, computeTariff } from 'jeelinky';
import * as runner from 'jeelinky/runner';
const config = resolveConfig({ stateDir: process.env.STATE, authUrl: process.env.SIM, apiUrl: process.env.SIM, paceMs: 0 });
const paired = await runScenario({ code: true, firstConnexion: true }, { config });
const report = await runScenario({}, { config });   // the daily job
const tariff = await computeTariff(config, { offpeakHours: '22h00-06h00' });
console.log(JSON.stringify({ paired: paired.ok, exitCode: report.exitCode, kinds: report.kinds.map((k) => [k.kind, k.added]),
  days: tariff.days.length, same: runner.runScenario === runScenario }));
`,
  );
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(stateDir, { recursive: true, force: true });
});

describe('jeelinky as a library', () => {
  it('the README example: imports from "jeelinky" and "jeelinky/runner", pairs, runs the daily job, computes the tariff', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [script],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', STATE: stateDir, SIM: sim.url }, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r).toMatchObject({ paired: true, exitCode: 0, same: true });
    expect(Object.fromEntries(r.kinds)).toMatchObject({ daily_consumption: 7, max_power: 7 });
    expect(r.days).toBeGreaterThan(0);
  });

  it('deep imports into dist/ are not exported', async () => {
    const code = await new Promise<number | null>((resolve) =>
      execFile(
        process.execPath,
        ['--input-type=module', '-e', "await import('jeelinky/dist/plugin/runner/run.js')"],
        { cwd: ROOT },
        (err) => resolve(err ? ((err as { code?: number }).code ?? 1) : 0),
      ),
    );
    expect(code).not.toBe(0);
  });
});
