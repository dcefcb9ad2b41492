/**
 * The table of settings (plugin/settings.ts) is the one description of every flag, JEELINKY_*
 * variable and config.json key. The README documents the same names: this test checks it both
 * ways, checks that the library's literal variable/key pairs agree with the table, that every flag
 * of the table is one a command takes, and that the CLI's help (a child process) shows the
 * generated lines and that config.json accepts exactly the table's keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_KEYS } from '../plugin/config.js';
import { SETTINGS, settingHelp, type SettingDescriptor } from '../plugin/settings.js';
import { rootSpec, type CommandSpec } from '../scenario/argv-check.js';
import { commands } from '../scenario/commands/index.js';
import { ROOT, runCli, tempDir } from './support/core.js';

const TABLE: readonly SettingDescriptor[] = SETTINGS;
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
/** The README's table rows (lines starting with "|"). */
const ROWS = README.split('\n').filter((l) => l.startsWith('|'));

/** JEELINKY_* names the README mentions that are not settings of jeelinky. */
const NOT_SETTINGS = new Set([
  'JEELINKY_TEST_CRASH_AFTER', // crash points of the test module test/support/fault-hooks.mjs
  'JEELINKY_TEST_FAIL_WRITES_AFTER',
  'JEELINKY_JEEDOM_KIT', // where the test suite finds the Jeedom kit
  'JEELINKY_NAME', // the placeholder of "JEELINKY_NAME=value" lines
]);

describe('the table of settings', () => {
  it('names every setting once, in the contract forms', () => {
    for (const field of ['key', 'env', 'flag'] as const) {
      const names = TABLE.map((s) => s[field]).filter((v): v is string => v !== undefined);
      expect(
        names.filter((n, i) => names.indexOf(n) !== i),
        field,
      ).toEqual([]);
    }
    for (const s of TABLE) {
      expect(s.env, s.key).toMatch(/^JEELINKY_[A-Z0-9_]+[A-Z0-9]$/);
      expect(s.key).toMatch(/^[a-z][a-zA-Z]*$/);
      if (s.flag) expect(s.flag).toMatch(/^[a-z]+(-[a-z]+)*$/);
    }
    expect(TABLE.length).toBeGreaterThan(60);
  });

  it('is what the README documents: each name in a row with its flag and config.json key', () => {
    const missing: string[] = [];
    for (const s of TABLE) {
      const rows = ROWS.filter((r) => r.includes(`\`${s.env}\``));
      if (!s.flag && s.inFile === false) {
        // A variable alone (no flag, no key): documented in the text.
        if (!README.includes(s.env)) missing.push(s.env);
        continue;
      }
      const flagIn = (r: string) => !s.flag || new RegExp(`--${s.flag}(?![a-z-])`).test(r);
      const ok = rows.some((r) => flagIn(r) && (s.inFile === false || r.includes(`\`${s.key}\``)));
      if (!ok) missing.push(`${s.env} (${s.flag ? `--${s.flag}, ` : ''}${s.inFile === false ? 'no key' : s.key})`);
    }
    expect(missing).toEqual([]);
  });

  it('holds every JEELINKY_* name the README documents', () => {
    const documented = new Set(README.match(/JEELINKY_[A-Z0-9_]*[A-Z0-9]\b/g) ?? []);
    const known = new Set(TABLE.map((s) => s.env));
    expect([...documented].filter((n) => !known.has(n) && !NOT_SETTINGS.has(n)).sort()).toEqual([]);
    // The exceptions are still in the README (a stale exception would hide nothing).
    expect([...NOT_SETTINGS].filter((n) => !documented.has(n))).toEqual([]);
  });

  it('is the only place the library pairs a variable with a config.json key', () => {
    // pickSetting(…, 'JEELINKY_JEEDOM_RATE', 'jeedomRate', …) would describe the setting a second time:
    // the modules name the table's key (readSetting('jeedomRate', …)), which the compiler checks.
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
    const pairs: string[] = [];
    for (const file of walk(path.join(ROOT, 'plugin'))) {
      if (file.endsWith(path.join('plugin', 'settings.ts'))) continue;
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/'(JEELINKY_[A-Z_]+)',\s*'([a-zA-Z]+)'/g))
        pairs.push(`${path.relative(ROOT, file)}: ${m[1]} → ${m[2]}`);
    }
    expect(pairs).toEqual([]);
  });

  it('has no flag that no command takes', () => {
    const flags = new Set<string>();
    const visit = (spec: CommandSpec): void => {
      for (const name of spec.flags.keys()) flags.add(name);
      spec.subcommands.forEach(visit);
    };
    visit(rootSpec(commands));
    expect(TABLE.filter((s) => s.flag && !flags.has(s.flag)).map((s) => s.flag)).toEqual([]);
  });

  it("config.json accepts exactly the table's keys (the state folder and variables alone excepted)", () => {
    expect([...CONFIG_FILE_KEYS].sort()).toEqual(
      TABLE.filter((s) => s.inFile !== false)
        .map((s) => s.key)
        .sort(),
    );
    expect(CONFIG_FILE_KEYS).not.toContain('stateDir');
  });
});

describe('the CLI, as a user meets it', () => {
  it('shows the generated help line of each shared flag (publish --help)', async () => {
    const r = await runCli(['publish', '--help'], { JEELINKY_STATE_DIR: tempDir() });
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    const shown = TABLE.filter(
      (s) =>
        ['mqtt', 'influx'].includes(s.section) || ['jeedomUrl', 'jeedomApiKey', 'jeedomRate', 'paceMs', 'tz', 'usagePoint'].includes(s.key),
    );
    expect(shown.length).toBeGreaterThan(20);
    for (const s of shown) {
      expect(help, s.flag).toContain(`--${s.flag}`);
      expect(help, s.flag).toContain(settingHelp(s).replace(/\s+/g, ' '));
    }
  });

  it('refuses a config.json key outside the table, and takes one of every section', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'config.json');
    try {
      fs.writeFileSync(
        file,
        JSON.stringify({
          jeedomConcurrency: 2,
          tempoSource: 'rte',
          mqttHaPrefix: 'ha',
          influxdbOrg: 'o',
          subscriptionTempo: '1',
          paceMs: 0,
        }),
      );
      expect((await runCli(['status'], { JEELINKY_STATE_DIR: dir })).code).toBe(0);
      fs.writeFileSync(file, JSON.stringify({ jeedomConcurency: 2 }));
      const r = await runCli(['status'], { JEELINKY_STATE_DIR: dir });
      expect({ code: r.code, stderr: r.stderr }).toEqual({
        code: 78,
        stderr: `jeelinky: ${file}: unknown key jeedomConcurency: did you mean jeedomConcurrency?\n`,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
