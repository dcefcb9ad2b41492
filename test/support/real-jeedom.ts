/**
 * The real Jeedom 4.5.3 core of ../shared/jeedom (a kit beside the checkout: PHP's built-in server
 * and a private MariaDB on loopback, see its README). The first use builds or restarts the box in
 * its own folder and ports, so a developer's own test box is never touched; `reset()` empties it
 * between test files.
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
  /** Empties the box: no object, device, command or history. */
  reset(): void;
}

const env = {
  ...process.env,
  JEEDOM_HOME: process.env.JEELINKY_JEEDOM_HOME ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'jeelinky-test-jeedom'),
  JEEDOM_HTTP_PORT: process.env.JEELINKY_JEEDOM_HTTP_PORT ?? '8791',
  JEEDOM_DB_PORT: process.env.JEELINKY_JEEDOM_DB_PORT ?? '3391',
};

function script(name: string, args: string[] = []): void {
  try {
    execFileSync(path.join(KIT, name), args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 600_000 });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(`real Jeedom: ${name} failed: ${(err.stderr?.toString() || err.stdout?.toString() || err.message).trim().split('\n').slice(-5).join(' | ')}`);
  }
}

/** Sets the box up (installs its Debian packages when missing and running as root) and starts it. */
export function startRealJeedom(): RealJeedom {
  if (realJeedomMissing) throw new Error(realJeedomMissing);
  script('setup.sh');
  const box = JSON.parse(fs.readFileSync(path.join(env.JEEDOM_HOME, 'box.json'), 'utf8')) as { apiUrl: string; apiKey: string; timezone: string };
  return {
    url: box.apiUrl,
    apikey: box.apiKey,
    timezone: box.timezone,
    reset: () => script('reset.sh'),
  };
}
