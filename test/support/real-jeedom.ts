/**
 * The real Jeedom 4.5.3 core of ../shared/jeedom (a kit beside the checkout: PHP's built-in server
 * and a private MariaDB on loopback, see its README). The first use builds or restarts the box in
 * its own folder and ports (one box per test file: see boxEnv), so a developer's own test box is
 * never touched; `reset()` empties it.
 *
 * Without the kit, `realJeedomMissing` says why and the real-Jeedom tests say plainly that they did
 * not run (a machine without ../shared); everything else runs. With the kit, a box that cannot be
 * set up fails the tests loudly.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './core.js';

export const KIT = process.env.JEELINKY_JEEDOM_KIT ?? path.resolve(ROOT, '..', 'shared', 'jeedom');
export const realJeedomMissing: string | undefined = fs.existsSync(path.join(KIT, 'setup.sh'))
  ? undefined
  : `the real Jeedom kit is not at ${KIT} (set JEELINKY_JEEDOM_KIT): the real-Jeedom tests did not run`;

export interface RealJeedom {
  url: string;
  apikey: string;
  timezone: string;
  /** Empties the box: no object, device, command or history (plugins installed since must be installed again). */
  reset(): void;
  /** install-plugin.sh: a folder holding plugin_info/info.json, or a zip. */
  installPlugin(pluginPath: string): void;
  /** run-cron.sh: one static cron method of an active plugin, in a fresh PHP process. */
  runCron(pluginId: string, method?: string): void;
  /** run-archive.sh: Jeedom's 05:00 history archive. */
  runArchive(): void;
  /** The kit's environment for this box (JEEDOM_HOME, ports), for other kit scripts. */
  env: NodeJS.ProcessEnv;
}

/**
 * Each test file gets its own box (folder and ports), so that files running in parallel never reset
 * each other's box: `slot` 0, 1, 2… picks HTTP port 8791+slot and MariaDB port 3391+slot.
 */
function boxEnv(slot: number, workers?: number): NodeJS.ProcessEnv {
  const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return {
    ...process.env,
    JEEDOM_HOME: path.join(cache, 'jeelinky-test-jeedom', `box${slot}`),
    JEEDOM_HTTP_PORT: String(8791 + slot),
    JEEDOM_DB_PORT: String(3391 + slot),
    ...(workers ? { PHP_CLI_SERVER_WORKERS: String(workers) } : {}),
  };
}

function script(env: NodeJS.ProcessEnv, name: string, args: string[] = []): void {
  try {
    execFileSync(path.join(KIT, name), args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(
      `real Jeedom: ${name} failed: ${(err.stderr?.toString() || err.stdout?.toString() || err.message).trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
}

/**
 * Sets the box up (installs its Debian packages when missing and running as root) and starts it.
 * `workers`: PHP_CLI_SERVER_WORKERS (default 1). A browser needs several: the desktop pages keep a
 * long-polling request open, and a plugin page's action that calls back into Jeedom's API would
 * wait for itself with one worker (a real box's Apache serves requests in parallel).
 */
export function startRealJeedom(slot: number, opts: { workers?: number } = {}): RealJeedom {
  if (realJeedomMissing) throw new Error(realJeedomMissing);
  const env = boxEnv(slot, opts.workers);
  script(env, 'setup.sh');
  const box = JSON.parse(fs.readFileSync(path.join(env.JEEDOM_HOME!, 'box.json'), 'utf8')) as {
    apiUrl: string;
    apiKey: string;
    timezone: string;
  };
  return {
    url: box.apiUrl,
    apikey: box.apiKey,
    timezone: box.timezone,
    reset: () => script(env, 'reset.sh'),
    installPlugin: (pluginPath: string) => script(env, 'install-plugin.sh', [pluginPath]),
    runCron: (pluginId: string, method = 'cron') => script(env, 'run-cron.sh', [pluginId, method]),
    runArchive: () => script(env, 'run-archive.sh'),
    env,
  };
}
