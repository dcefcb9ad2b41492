/**
 * The durability probe (plugin/probe.ts): production code calls it at each durable write, the store's
 * reserve release and each HTTP answer, and knows nothing of the fault suite, whose crash and
 * full-disk points live in test/support/fault-hooks.mjs.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setDurabilityProbe } from '../plugin/probe.js';
import { StateStore } from '../plugin/store/state.js';
import { CLI, harness, PDL, ROOT, tempDir, type Harness } from './support/core.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : [p];
  });
}

describe('the durability probe', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    setDurabilityProbe();
    await h?.close();
    h = undefined;
  });

  it('no production file reads a JEELINKY_TEST_* variable', () => {
    const hits = ['plugin', 'scenario']
      .flatMap((d) => filesUnder(path.join(ROOT, d)))
      .filter((f) => fs.readFileSync(f, 'utf8').includes('JEELINKY_TEST'));
    expect(hits).toEqual([]);
  });

  it('sees every durable write, the reserve, and each HTTP answer; a throw before a write fails it', async () => {
    const seen: string[] = [];
    setDurabilityProbe({
      beforeDurableWrite: (key) => seen.push(`before ${key}`),
      afterDurableWrite: (key) => seen.push(`after ${key}`),
      afterHttpResponse: (service) => seen.push(`answer ${service}`),
    });
    const dir = tempDir();
    const store = await StateStore.open(dir);
    await store.probeWritable();
    await store.write('tokens', { x: 1 });
    expect(seen).toEqual(['before .reserve', 'before probe', 'after probe', 'before tokens', 'after tokens']);

    setDurabilityProbe({
      beforeDurableWrite: () => {
        throw Object.assign(new Error('ENOSPC (probe)'), { code: 'ENOSPC' });
      },
    });
    await expect(store.write('tokens', { x: 2 })).rejects.toThrow(/cannot save "tokens"/);
    fs.rmSync(dir, { recursive: true, force: true });

    // Over a socket: the Enedis answers of a pairing reach the probe.
    seen.length = 0;
    setDurabilityProbe({ afterHttpResponse: (service) => seen.push(service) });
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow([PDL]);
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen)).toEqual(new Set(['enedis']));
  });

  describe('the CLI without the fault hooks', () => {
    beforeAll(() => {
      // npm test builds first; building here would rewrite dist/ under the other files' running CLIs.
      if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    });

    it('ignores JEELINKY_TEST_* (a user who sets one gets a normal run)', async () => {
      const dir = tempDir();
      // Plain `node dist/scenario/cli.js`, not runCli (which loads the hooks when given JEELINKY_TEST_*).
      const code = await new Promise<number | string | null>((resolve) =>
        execFile(
          process.execPath,
          [CLI, 'demo'],
          {
            env: {
              PATH: process.env.PATH ?? '',
              HOME: dir,
              JEELINKY_STATE_DIR: dir,
              JEELINKY_TEST_CRASH_AFTER: '1',
              JEELINKY_TEST_FAIL_WRITES_AFTER: '0',
            },
            timeout: 60_000,
          },
          (err) => resolve(err ? ((err as NodeJS.ErrnoException).code ?? (err as { signal?: string }).signal ?? null) : 0),
        ),
      );
      fs.rmSync(dir, { recursive: true, force: true });
      expect(code).toBe(0);
    });
  });
});
