/**
 * The set-up of the tests that run the built CLI as a child process on the real clock: the Enedis
 * simulator, a Jeedom simulator when asked, a temporary state folder, the CLI's environment
 * pointing at them and, when asked, `jeelinky pair`. In-process runs on a fake clock use `harness`
 * (core.ts) instead.
 */
import fs from 'node:fs';
import { expect } from 'vitest';
import { JeedomClient } from '../../plugin/jeedom/client.js';
import { ensureVirtualDevice } from '../../plugin/jeedom/virtual.js';
import { startEnedisSimulator, type EnedisSimulator, type EnedisSimulatorOptions } from '../../simulators/enedis.js';
import { startJeedomSimulator, type JeedomSimulator, type JeedomSimulatorOptions } from '../../simulators/jeedom.js';
import { cliEnv, PDL, runCli, tempDir } from './core.js';

/** No Jeedom; a Jeedom simulator; or one where PDL's virtual device is already made. */
export type JeedomWanted = boolean | 'with-device';

export interface CliWorldOptions<J extends JeedomWanted = false> {
  /** Over the defaults: no rate limit, no Enedis quota, the consent to PDL given at the first poll. */
  enedis?: EnedisSimulatorOptions;
  /** A Jeedom simulator, its URL and API key in the environment. */
  jeedom?: J;
  /** More JEELINKY_* variables (over the Jeedom ones). */
  env?: Record<string, string>;
  /** Runs `jeelinky pair`, which must exit 0. */
  pair?: boolean;
  /** The state folder's name prefix (tempDir's default otherwise). */
  prefix?: string;
}

export interface CliWorld<J extends JeedomWanted = false> {
  enedis: EnedisSimulator;
  jeedom: J extends false ? undefined : JeedomSimulator;
  dir: string;
  env: Record<string, string>;
  /** Stops the simulators and removes the state folder. */
  close(): Promise<void>;
}

/** A Jeedom simulator with the virtual device of PDL made as `jeelinky jeedom setup` makes it. */
export async function jeedomWithDevice(options: JeedomSimulatorOptions = {}): Promise<JeedomSimulator> {
  const jeedom = await startJeedomSimulator(options);
  const client = new JeedomClient({ url: jeedom.url, apikey: jeedom.apikey, retryDelayMs: 1 });
  try {
    await ensureVirtualDevice(client, { usagePoint: PDL });
  } catch (e) {
    await jeedom.close();
    throw e;
  } finally {
    client.close();
  }
  return jeedom;
}

export async function cliWorld<J extends JeedomWanted = false>(options: CliWorldOptions<J> = {}): Promise<CliWorld<J>> {
  const enedis = await startEnedisSimulator({
    limitPerMinute: 0,
    enedisQuota: false,
    autoApprove: { usagePoints: [PDL], afterPolls: 0 },
    ...options.enedis,
  });
  let jeedom: JeedomSimulator | undefined;
  let dir: string | undefined;
  const close = async () => {
    await enedis.close();
    await jeedom?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (options.jeedom) jeedom = options.jeedom === 'with-device' ? await jeedomWithDevice() : await startJeedomSimulator();
    dir = tempDir(options.prefix);
    const jeedomEnv: Record<string, string> = jeedom ? { JEELINKY_JEEDOM_URL: jeedom.url, JEELINKY_JEEDOM_APIKEY: jeedom.apikey } : {};
    const env = cliEnv(enedis, dir, { ...jeedomEnv, ...options.env });
    if (options.pair) expect((await runCli(['pair'], env)).code).toBe(0);
    return { enedis, jeedom: jeedom as CliWorld<J>['jeedom'], dir, env, close };
  } catch (e) {
    // Nothing is left running when the set-up itself fails.
    await close();
    throw e;
  }
}

type Closeable = { close(): Promise<unknown> } | { stop(): Promise<unknown> };

/**
 * What a test file opened, closed after each test (also when it failed):
 * `const opened = new Opened(); afterEach(() => opened.closeAll());`.
 */
export class Opened {
  private closers: Array<() => Promise<unknown>> = [];

  async world<J extends JeedomWanted = false>(options: CliWorldOptions<J> = {}): Promise<CliWorld<J>> {
    return this.track(await cliWorld(options));
  }

  /** Anything else started by a test (a simulator, a broker), closed with the worlds. */
  track<T extends Closeable>(thing: T): T {
    this.closers.push(() => ('close' in thing ? thing.close() : thing.stop()));
    return thing;
  }

  /** Closes everything, the last opened first; one failing does not keep the others open. */
  async closeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const close of this.closers.splice(0).reverse()) await close().catch((e: unknown) => errors.push(e));
    if (errors.length) throw errors[0];
  }
}
