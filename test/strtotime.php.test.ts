/**
 * Differential test of plugin/time/strtotime against PHP itself (php-cli, the oracle): thousands
 * of generated (expression, now, zone) cases, resolved by one php process per batch, compared to
 * the epoch second, acceptance and rejection included. php missing is a failure, never a skip
 * (`npm run test-setup` installs it).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { strtotimeSeconds } from '../plugin/time/strtotime.js';
import { REJECTED_SAMPLES, corpusExpressions, corpusNows, corpusOtherZones } from './support/strtotime-corpus.js';

interface Case {
  expr: string;
  now: number;
  tz: string;
}

/**
 * PHP behaviours deliberately not reproduced, with the reason. Keep this list small: every entry
 * is a known difference between jeelinky and Jeedom.
 */
const EXCLUDED: ReadonlyArray<{ expr: string; reason: string }> = [];

const PHP_SCRIPT = `<?php
$cases = json_decode(file_get_contents($argv[1]), true);
$out = [];
foreach ($cases as $c) {
  date_default_timezone_set($c['tz']);
  $r = strtotime($c['expr'], $c['now']);
  $out[] = $r === false ? null : $r;
}
echo json_encode($out);
`;

const workDir = mkdtempSync(join(tmpdir(), 'jeelinky-strtotime-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function phpVersion(): string {
  try {
    return execFileSync('php', ['-r', 'echo PHP_VERSION;'], { encoding: 'utf8' });
  } catch (e) {
    throw new Error(
      `php-cli is required by this test (it is the oracle) and could not be run: ${(e as Error).message}. ` +
        'Install it with "npm run test-setup" (apt-get install php-cli).',
    );
  }
}

/** One php process for the whole batch. */
function runPhp(cases: Case[]): Array<number | null> {
  const casesFile = join(workDir, `cases-${cases.length}.json`);
  const scriptFile = join(workDir, 'oracle.php');
  writeFileSync(casesFile, JSON.stringify(cases));
  writeFileSync(scriptFile, PHP_SCRIPT);
  const out = execFileSync('php', ['-d', 'error_reporting=0', scriptFile, casesFile], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const results = JSON.parse(out) as Array<number | null>;
  if (results.length !== cases.length) throw new Error(`php answered ${results.length} results for ${cases.length} cases`);
  return results;
}

function ours(c: Case): number | null {
  try {
    return strtotimeSeconds(c.expr, c.now * 1000, c.tz);
  } catch {
    return null;
  }
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const exprs = corpusExpressions();
  for (const now of corpusNows()) for (const expr of exprs) cases.push({ expr, now, tz: 'Europe/Paris' });
  for (const { tz, nows } of corpusOtherZones()) for (const now of nows) for (const expr of exprs) cases.push({ expr, now, tz });
  return cases;
}

const show = (ts: number | null): string => (ts === null ? 'false' : `${ts} (${new Date(ts * 1000).toISOString()})`);

describe('strtotime agrees with PHP', () => {
  it(`resolves the generated corpus exactly like php ${phpVersion()}`, () => {
    const cases = buildCases();
    const expected = runPhp(cases);
    const excluded = new Set(EXCLUDED.map((e) => e.expr));
    const mismatches: string[] = [];
    let compared = 0;
    let agreed = 0;
    let rejectedByPhp = 0;
    cases.forEach((c, k) => {
      if (excluded.has(c.expr)) return;
      compared++;
      const want = expected[k]!;
      const got = ours(c);
      if (want === null) rejectedByPhp++;
      if (want === got) agreed++;
      else if (mismatches.length < 40) {
        mismatches.push(
          `${JSON.stringify(c.expr)} now=${new Date(c.now * 1000).toISOString()} ${c.tz}: php ${show(want)}, ours ${show(got)}`,
        );
      }
    });
    const rate = ((100 * agreed) / compared).toFixed(3);
    console.log(
      `strtotime differential: ${compared} cases (${rejectedByPhp} rejected by PHP), ${agreed} agree: ${rate}%` +
        (EXCLUDED.length ? `; ${EXCLUDED.length} expressions excluded` : ''),
    );
    expect(compared).toBeGreaterThan(5000);
    expect(mismatches).toEqual([]);
  });

  it('rejects what PHP rejects, saying where it stopped', () => {
    const now = Date.parse('2025-06-04T10:00:00Z') / 1000;
    const cases = REJECTED_SAMPLES.map((expr) => ({ expr, now, tz: 'Europe/Paris' }));
    const php = runPhp(cases);
    // The samples are chosen to be rejected: if PHP accepts one, the sample list is wrong.
    expect(php.filter((r) => r !== null)).toEqual([]);
    for (const c of cases) {
      expect(() => strtotimeSeconds(c.expr, c.now * 1000, c.tz)).toThrow(/cannot understand .* at position \d+/);
    }
  });
});
