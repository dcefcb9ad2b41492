/**
 * One jeelinky run at a time per state directory: never two refreshes with one token, never two
 * writers of one month document. A lock left by a killed process goes stale after a few seconds
 * (proper-lockfile refreshes its mtime while the holder lives) and is then taken over.
 */
import fs from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { LockBusyError } from '../errors.js';
import { settingDefault, settingVariable } from '../settings.js';
import { stateAccessError } from './access.js';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * A lock whose holder stopped refreshing it for this long is taken over. The lockStaleMs setting
 * (its variable only) tunes it: at least 2000, proper-lockfile's minimum, else the default; the
 * fault suite lowers it to go faster.
 */
export function lockStaleMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(settingVariable('lockStaleMs', env));
  return Number.isFinite(v) && v >= 2000 ? v : settingDefault('lockStaleMs');
}

export async function acquireStateLock(stateDir: string, waitMs: number): Promise<HeldLock> {
  try {
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw stateAccessError(stateDir, 'create', e);
  }
  const target = path.join(stateDir, 'run');
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const release = await lockfile.lock(stateDir, {
        lockfilePath: `${target}.lock`,
        stale: lockStaleMs(),
        update: lockStaleMs() / 4,
        realpath: false,
        onCompromised: (err) => {
          // Another process took the lock over (we were frozen longer than STALE_MS): stop rather
          // than write concurrently with it.
          process.stderr.write(`jeelinky: lost the state lock (${err.message}); stopping to keep the state safe\n`);
          process.exit(75);
        },
      });
      return { release: () => release().catch(() => undefined) };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'ELOCKED') {
        throw stateAccessError(stateDir, 'lock', e);
      }
      if (Date.now() >= deadline) {
        throw new LockBusyError(
          `another jeelinky run is working on ${stateDir} and did not finish within ${Math.round(waitMs / 1000)} s: run again later`,
        );
      }
      await new Promise((r) => setTimeout(r, Math.min(500, Math.max(50, deadline - Date.now()))));
    }
  }
}

/**
 * Whether a live run holds the state lock right now, without waiting for it nor taking it (for
 * `status`, which only reads: it must answer at once, even during a long backfill).
 */
export async function stateLockHeld(stateDir: string): Promise<boolean> {
  try {
    return await lockfile.check(stateDir, { lockfilePath: path.join(stateDir, 'run.lock'), stale: lockStaleMs(), realpath: false });
  } catch {
    return false; // no state folder yet, or not readable: the caller reports that itself
  }
}
