/**
 * The state folder at the slips people make: a folder the user cannot create, read or write (a
 * Jeedom scénario running as www-data; a folder owned by root), damaged state files, `status`
 * while another run holds the lock, and what `status`'s figures mean. The real CLI as a child
 * process against the simulator on loopback.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acquireStateLock } from '../plugin/store/lock.js';
import { StateStore } from '../plugin/store/state.js';
import { localDay } from '../plugin/time/local.js';
import { CLI, PDL, runCli, tempDir, type CliResult } from './support/core.js';
import { type CliWorld, Opened } from './support/world.js';

const opened = new Opened();
const cleanup: string[] = [];
afterEach(async () => {
  await opened.closeAll();
  for (const d of cleanup.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

beforeAll(() => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
});

function scratch(prefix: string): string {
  const d = tempDir(prefix);
  cleanup.push(d);
  return d;
}

/** A paired state folder with a week of daily consumption, and the environment to use it. */
async function paired(): Promise<CliWorld> {
  const w = await opened.world({ pair: true, prefix: 'jeelinky-state-' });
  expect((await runCli(['run', '--daily-consumption'], w.env)).code).toBe(0);
  return w;
}

// ---------------------------------------------------------------------------------------------
// Permissions. The tests run as root, who can write anywhere: the CLI is run as `nobody` instead.

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => fs.existsSync(p));
const asRoot = process.getuid?.() === 0;

/** Runs the built CLI as user nobody (group nogroup), with only the given variables. */
function runCliAsNobody(args: string[], env: Record<string, string>): Promise<CliResult> {
  const argv = ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, CLI, ...args];
  return new Promise((resolve) => {
    execFile(
      SETPRIV!,
      argv,
      { env: { PATH: process.env.PATH ?? '', TZ: 'Europe/Paris', ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: null, stdout, stderr });
      },
    );
  });
}

/** The one line a person must be able to act on: user, folder, the two ways out; never "a bug". */
function expectAccessLine(r: CliResult, folder: string, user = 'nobody'): void {
  expect(r.code, r.stderr).toBe(78);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(folder);
  expect(lines[0]).toContain(`as user ${user}`);
  expect(lines[0]).toContain('JEELINKY_STATE_DIR');
  expect(lines[0]).not.toMatch(/bug|unexpected error|\bat .*\.js:\d+/i);
}

// Never a silent skip: without root (to become nobody) and setpriv (util-linux) this fails and says why.
it('the permission tests can run: they need root and setpriv (util-linux)', () => {
  expect({ root: asRoot, setpriv: Boolean(SETPRIV) }, 'run the suite as root (CI does) with util-linux installed').toEqual({
    root: true,
    setpriv: true,
  });
});

describe.skipIf(!SETPRIV || !asRoot)('a state folder the user cannot use: exit 78 with the fix', () => {
  /** A folder everyone may traverse, so that only the part under test is forbidden. */
  function openParent(): string {
    const d = scratch('jeelinky-perm-');
    fs.chmodSync(d, 0o755);
    return d;
  }

  it('www-data without JEELINKY_STATE_DIR: a HOME it cannot write (~/.local/state cannot be created)', async () => {
    const home = path.join(openParent(), 'www'); // like /var/www: owned by root, 0755
    fs.mkdirSync(home, { mode: 0o755 });
    for (const cmd of [['status'], ['run'], ['pair']]) {
      const r = await runCliAsNobody(cmd, { HOME: home });
      const folder = path.join(home, '.local', 'state', 'jeelinky');
      expectAccessLine(r, folder);
      // The folder does not exist: the fix creates it for that user.
      expect(r.stderr).toContain(`sudo mkdir -p ${folder} && sudo chown nobody ${folder}`);
    }
  });

  it('a state folder owned by root (a run under sudo created it): every command says chown or JEELINKY_STATE_DIR', async () => {
    const { dir, env } = await paired(); // created by root, 0700
    fs.chmodSync(path.dirname(dir), 0o1777); // /tmp itself
    for (const cmd of [['status'], ['run'], ['backfill', '--dry-run'], ['report'], ['pair']]) {
      const r = await runCliAsNobody(cmd, { ...env, HOME: '/nonexistent' });
      expectAccessLine(r, dir);
      expect(r.stderr).toContain(`sudo chown -R nobody ${dir}`);
    }
  });

  it('a folder the user owns but files left by a run as root in it: named, chown, not "damaged"', async () => {
    const { dir, env } = await paired();
    // The folder is nobody's, the files inside are still root's 0600 files.
    execFileSync('chown', ['nobody:nogroup', dir, path.join(dir, 'data')]);
    const r = await runCliAsNobody(['status'], { ...env, HOME: '/nonexistent' });
    expectAccessLine(r, dir);
    expect(r.stderr).not.toContain('damaged');
  });

  it('a writable folder with a read-only data folder: a run fails before asking the proxy, with the fix', async () => {
    const { dir, env, enedis } = await paired();
    execFileSync('chown', ['-R', 'nobody:nogroup', dir]);
    fs.chmodSync(path.join(dir, 'data'), 0o500);
    execFileSync('chown', ['root:root', path.join(dir, 'data')]);
    fs.chmodSync(path.join(dir, 'data'), 0o755); // readable by nobody, not writable
    const calls = enedis.calls.length;
    const r = await runCliAsNobody(['run', '--refresh-token'], { ...env, HOME: '/nonexistent' });
    expectAccessLine(r, dir);
    expect(enedis.calls.length).toBe(calls); // no refresh token spent that could not be saved
  });
});

describe('a state folder path that is not a folder: exit 78 with the fix', () => {
  it('a file where the state folder should be, or where one of its parents should be (ENOTDIR)', async () => {
    const parent = scratch('jeelinky-file-');
    const file = path.join(parent, 'jeelinky');
    fs.writeFileSync(file, 'not a folder');
    const user = (await import('node:os')).userInfo().username;
    for (const dir of [file, path.join(file, 'state')]) {
      for (const cmd of [['status'], ['run'], ['pair']]) {
        const r = await runCli(cmd, { JEELINKY_STATE_DIR: dir });
        expectAccessLine(r, dir, user);
        expect(r.stderr).toContain('a file stands where a folder is expected');
      }
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('not a folder'); // never replaced
  });
});

// ---------------------------------------------------------------------------------------------
// Damaged files: one short line, the file, what to do, nothing from a library.

/** Library internals that must never reach the user's line. */
const INTERNALS =
  /node-persist|SyntaxError|position \d|Unexpected token|JSON at|Invalid input|expected \w+, received|ZodError|\bat .*\.js:\d+|\[object/i;

function expectDamagedLine(r: CliResult, file: string, todo: RegExp): void {
  expect(r.code, `${file}: ${r.stderr}`).toBe(78);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  const line = lines[0]!;
  expect(line.length, line).toBeLessThanOrEqual(200);
  expect(line).toContain(file);
  expect(line).toMatch(todo);
  expect(line).not.toMatch(INTERNALS);
}

describe('damaged state files: one line of at most 200 characters, the file, what to do', () => {
  const damages: Array<[string, (text: string) => string]> = [
    ['truncated', (t) => t.slice(0, Math.floor(t.length / 2))],
    ['of the wrong shape', (t) => JSON.stringify({ key: (JSON.parse(t) as { key: string }).key, value: 'from an older version' })],
    ['not JSON at all', () => '\u0000\u0001garbage'],
  ];

  it('tokens, retry state, a month of readings, the call counter, the kind metadata', async () => {
    const { dir, env } = await paired();
    const store = await StateStore.open(dir);
    const today = localDay(new Date(), 'Europe/Paris');
    const month = localDay(new Date(Date.now() - 86400_000), 'Europe/Paris').slice(0, 7);
    // A pending retry, as a failed run leaves it (status reads it).
    await store.write(`meta:${PDL}:daily_consumption`, { historyStart: '2020-01-01' });
    await store.write('retry', { retryAt: new Date().toISOString(), reason: 'test', code: 'test', setAt: new Date().toISOString() });
    const cases: Array<[string, RegExp]> = [
      ['tokens', /move it aside, then pair again/],
      ['retry', /move it aside, then run again/],
      [`readings:${PDL}:daily_consumption:${month}`, /daily_consumption \d{4}-\d{2}.*move it aside, then run again/],
      [`calls:${today}`, /call counts.*move it aside, then run again/],
      [`meta:${PDL}:daily_consumption`, /daily_consumption history.*move it aside, then run again/],
    ];
    for (const [key, todo] of cases) {
      const file = store.fileOf(key);
      expect(fs.existsSync(file), key).toBe(true);
      const good = fs.readFileSync(file, 'utf8');
      for (const [how, damage] of damages) {
        fs.writeFileSync(file, damage(good));
        const before = fs.readFileSync(file);
        for (const cmd of key === 'tokens' ? [['status'], ['run']] : [['status']]) {
          const r = await runCli(cmd, env);
          expectDamagedLine(r, file, todo);
        }
        expect(fs.readFileSync(file), `${key} ${how}`).toEqual(before); // never silently reset
      }
      fs.writeFileSync(file, good);
    }
    // Once repaired, everything reads again.
    expect((await runCli(['status'], env)).code).toBe(0);
  });

  it('a damaged file met while listing the whole store (backfill --wipe-cache) is named, and nothing is wiped', async () => {
    const { dir, env } = await paired();
    const store = await StateStore.open(dir);
    const file = store.fileOf(`calls:${localDay(new Date(), 'Europe/Paris')}`);
    fs.writeFileSync(file, '{"key": "calls:');
    const before = fs.readdirSync(path.join(dir, 'data')).sort();
    const r = await runCli(['backfill', '--wipe-cache', '--yes', '--dry-run'], env);
    expectDamagedLine(r, file, /move it aside, then run again/);
    expect(fs.readdirSync(path.join(dir, 'data')).sort()).toEqual(before);
  });

  it('config.json: truncated, or a value of the wrong type', async () => {
    const { dir, env } = await paired();
    const file = path.join(dir, 'config.json');
    for (const [text, todo] of [
      ['{"paceMs": ', /fix it or delete it/],
      ['{"paceMs": "fast"}', /"paceMs" must be a number: fix it or delete it/],
      ['{"kinds": 3}', /"kinds" must be an array: fix it or delete it/],
      ['[1, 2]', /must be a JSON object/],
      ['{"timeoutMs": 0}', /"timeoutMs" must be more than 0: fix it or delete it/],
    ] as const) {
      fs.writeFileSync(file, text);
      for (const cmd of [['status'], ['run']]) expectDamagedLine(await runCli(cmd, env), file, todo);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// status never waits for another run.

describe('status while another run holds the lock', () => {
  it('answers at once from what is stored, says a run is in progress, exit 0', async () => {
    const { dir, env } = await paired();
    const lock = await acquireStateLock(dir, 1000); // what a long backfill holds
    try {
      const started = Date.now();
      // A run would wait up to JEELINKY_LOCK_WAIT_MS (60 s) for this lock: status must not.
      const r = await runCli(['status'], { ...env, JEELINKY_LOCK_WAIT_MS: '60000' }, 15_000);
      expect(r.code, r.stderr).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(r.stdout).toMatch(/a run is in progress/);
      expect(r.stdout).toMatch(/Paired: +yes/);
      const json = await runCli(['status', '--json'], env, 15_000);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout).runInProgress).toBe(true);
    } finally {
      await lock.release();
    }
    const after = await runCli(['status', '--json'], env);
    expect(JSON.parse(after.stdout).runInProgress).toBe(false);
    expect((await runCli(['status'], env)).stdout).not.toMatch(/in progress/);
  });
});

// ---------------------------------------------------------------------------------------------
// What status's figures mean.

describe('status figures', () => {
  it('"last day" is the newest complete day; a figure from fewer days than its period is marked partial', async () => {
    const { env } = await paired(); // a week of daily consumption: the newest is yesterday
    const r = await runCli(['status', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    const yesterday = localDay(new Date(Date.now() - 86400_000), 'Europe/Paris');
    const newest = s.kinds.find((k: { kind: string }) => k.kind === 'daily_consumption').lastDay;
    expect(newest).toBe(yesterday);
    expect(s.figures.lastDay.day).toBe(newest);
    expect(s.figures.lastDay.kwh).toBeGreaterThan(0);

    // "This year" from 7 stored days (unless this is the first week of January).
    const year = s.figures.figures.find((f: { logicalId: string }) => f.logicalId === 'stats_this_year_kwh');
    expect(year.days).toBeLessThanOrEqual(7);
    expect(year.partial).toBe(year.periodDays > year.days);
    // Last month is never fully inside a week of data, unless it is its... no: a month has ≥ 28 days.
    const lastMonth = s.figures.figures.find((f: { logicalId: string }) => f.logicalId === 'stats_last_month_kwh');
    if (lastMonth.kwh !== null) {
      expect(lastMonth.periodDays).toBeGreaterThanOrEqual(28);
      expect(lastMonth.partial).toBe(true);
    }

    const human = await runCli(['status'], env);
    const kwh = human.stdout.split('\n').find((l) => l.startsWith('kWh:'))!;
    expect(kwh).toContain(`last day ${s.figures.lastDay.kwh.toFixed(1)} (${yesterday})`);
    if (year.partial) expect(kwh).toMatch(new RegExp(`this year [\\d.]+ \\(partial: ${year.days} of ${year.periodDays} days\\)`));
    if (lastMonth.kwh !== null) expect(kwh).toMatch(/last month [\d.]+ \(partial: \d of \d+ days\)/);
  });
});
