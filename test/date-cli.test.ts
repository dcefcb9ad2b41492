/**
 * The `jeelinky date` contract, run as scripts run it: a child process of the built CLI
 * (`npx tsc -p .` first; `npm test` builds). The child's own TZ is set to a zone far from the
 * expressions' one, to prove it never matters.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'dist', 'scenario', 'cli.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function jeelinky(args: string[], env: Record<string, string | undefined> = {}): Run {
  const childEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, TZ: 'America/Los_Angeles', JEELINKY_TZ: undefined, ...env })) {
    if (v !== undefined) childEnv[k] = v;
  }
  const r = spawnSync(process.execPath, [CLI, ...args], { env: childEnv, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first with "npx tsc -p ." (npm test does it)`);
});

const NOW = '2025-10-26T01:30:00+02:00'; // Paris, half an hour before the clocks go back

describe('jeelinky date', () => {
  it('prints one resolved instant per expression, in order, with offset and seconds', () => {
    const r = jeelinky([
      'date',
      '--now',
      NOW,
      '--tz',
      'Europe/Paris',
      '--',
      'first day of last month 00:00:00',
      'last day of last month 23:59:59',
      '+1 hour',
      'Today',
      '02:30',
    ]);
    expect(r.stdout).toBe(
      `${[
        '2025-09-01T00:00:00+02:00',
        '2025-09-30T23:59:59+02:00',
        '2025-10-26T02:30:00+01:00',
        '2025-10-26T00:00:00+02:00',
        '2025-10-26T02:30:00+01:00',
      ].join('\n')}\n`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('takes everything after -- as an expression, marks rejected ones invalid and exits 1', () => {
    const r = jeelinky(['date', '--now', NOW, '--', '-1 day', '+1 week', '', 'first dey of', '--json']);
    expect(r.stdout.split('\n')).toEqual(['2025-10-25T01:30:00+02:00', '2025-11-02T01:30:00+01:00', 'invalid', 'invalid', 'invalid', '']);
    const reasons = r.stderr.trim().split('\n');
    expect(reasons).toHaveLength(3);
    expect(reasons[0]).toMatch(/empty date expression/);
    expect(reasons[1]).toMatch(/"first dey of" at position 1/);
    expect(reasons[2]).toMatch(/"--json"/);
    expect(r.code).toBe(1);
  });

  it('prints a JSON array with --json', () => {
    const r = jeelinky(['date', '--json', '--now', '2025-06-04T08:00:00Z', '--tz', 'America/New_York', '--', 'tomorrow noon', 'nope']);
    expect(JSON.parse(r.stdout)).toEqual([
      { expr: 'tomorrow noon', iso: '2025-06-05T12:00:00-04:00', epoch: 1749139200 },
      { expr: 'nope', invalid: true, error: expect.stringMatching(/cannot understand "nope" at position 1/) },
    ]);
    expect(r.code).toBe(1);
  });

  it('reads the zone from JEELINKY_TZ, then defaults to Europe/Paris, whatever the process TZ', () => {
    const args = ['date', '--now', '2025-01-15T12:00:00Z', '--', 'today'];
    expect(jeelinky(args, { JEELINKY_TZ: 'Australia/Sydney' }).stdout).toBe('2025-01-15T00:00:00+11:00\n');
    const outputs = ['America/Los_Angeles', 'Asia/Tokyo', 'UTC'].map((TZ) => jeelinky(args, { TZ }).stdout);
    expect(outputs).toEqual(['2025-01-15T00:00:00+01:00\n', '2025-01-15T00:00:00+01:00\n', '2025-01-15T00:00:00+01:00\n']);
  });

  it('reads a --now without offset as a wall time in --tz', () => {
    const r = jeelinky(['date', '--now', '2025-03-30T02:30:00', '--', 'now']);
    expect(r.stdout).toBe('2025-03-30T03:30:00+02:00\n'); // in the spring gap: moved forward, as PHP does
  });

  it('defaults --now to the current time', () => {
    const before = Math.floor(Date.now() / 1000);
    const r = jeelinky(['date', '--json', '--', 'now']);
    const after = Math.ceil(Date.now() / 1000);
    const [result] = JSON.parse(r.stdout) as Array<{ epoch: number }>;
    expect(result!.epoch).toBeGreaterThanOrEqual(before);
    expect(result!.epoch).toBeLessThanOrEqual(after);
  });

  it('treats a bad --now, --tz or JEELINKY_TZ, or no expression, as a usage error (exit 64)', () => {
    const badNow = jeelinky(['date', '--now', 'yesterday', '--', 'now']);
    expect(badNow.code).toBe(64);
    expect(badNow.stdout).toBe('');
    expect(badNow.stderr).toMatch(/--now "yesterday" is not an ISO-8601 date/);
    const badTz = jeelinky(['date', '--tz', 'Mars/Olympus', '--', 'now']);
    expect(badTz.code).toBe(64);
    expect(badTz.stderr).toMatch(/--tz "Mars\/Olympus" is not a known IANA time zone/);
    const badEnv = jeelinky(['date', '--', 'now'], { JEELINKY_TZ: 'Nowhere' });
    expect(badEnv.code).toBe(64);
    expect(badEnv.stderr).toMatch(/JEELINKY_TZ "Nowhere"/);
    expect(jeelinky(['date']).code).toBe(64);
  });
});
