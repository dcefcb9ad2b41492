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
import { CONFIG_FILE_KEYS, resolveConfig, type JeelinkyConfig } from '../plugin/config.js';
import { resolveEqType } from '../plugin/jeedom/client.js';
import { SETTINGS, defaultText, settingHelp, type SettingDescriptor } from '../plugin/settings.js';
import { resolveInfluxSettings } from '../plugin/sinks/influx.js';
import { MQTT_SETTINGS, resolveMqttSettings } from '../plugin/sinks/mqtt-config.js';
import { lockStaleMs } from '../plugin/store/lock.js';
import { DEFAULT_TZ } from '../plugin/time/local.js';
import { commandsFromHelp } from './support/cli-help.js';
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

  it("says in the README's default column the default the table gives", () => {
    // The tables with a default column (variable/flag, flag/variable, key, default, meaning): 5 cells.
    const wrong: string[] = [];
    for (const s of TABLE) {
      const shown = defaultText(s);
      if (shown === undefined) continue;
      // The whole default, not a part of a longer one (30000 is not said by 300000).
      const escaped = shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const said = (cell: string) => new RegExp(`(^|[^\\w/~.])${escaped}($|[^\\w/])`).test(cell.replace(/`/g, ''));
      const cells = ROWS.filter((r) => r.includes(`\`${s.env}\``))
        .map((r) => r.split('|').slice(1, -1))
        .filter((c) => c.length === 5);
      for (const c of cells) if (!said(c[3]!)) wrong.push(`${s.env}: README "${c[3]!.trim()}", table "${shown}"`);
    }
    expect(wrong).toEqual([]);
  });

  it('is the only place a default is written: each module falls back on the value of the table', () => {
    const dir = tempDir();
    try {
      const checked = new Set<string>();
      const differ: string[] = [];
      const same = (key: string, actual: unknown) => {
        const { value } = TABLE.find((d) => d.key === key)!;
        if (JSON.stringify(actual) !== JSON.stringify(value))
          differ.push(`${key}: the module gives ${JSON.stringify(actual)}, the table ${JSON.stringify(value)}`);
        checked.add(key);
      };
      // The core settings: resolveConfig with no flag, no variable and no config.json.
      const config = resolveConfig({ stateDir: dir }, {});
      for (const s of TABLE.filter((d) => d.core && d.value !== undefined)) same(s.key, config[s.key as keyof JeelinkyConfig]);
      same('tz', DEFAULT_TZ);
      // MQTT: only the host given.
      const mqtt = resolveMqttSettings({ fileSettings: {}, timeoutMs: 30_000 }, {}, { JEELINKY_MQTT_HOST: 'broker' })!;
      for (const [field, [, , key]] of Object.entries(MQTT_SETTINGS)) {
        if (TABLE.find((d) => d.key === key)!.value !== undefined) same(key, mqtt[field as keyof typeof mqtt]);
      }
      // With TLS the port is 8883, which the table's text of the default says too.
      const mqttTls = resolveMqttSettings({ fileSettings: {} } as never, {}, { JEELINKY_MQTT_HOST: 'b', JEELINKY_MQTT_TLS: '1' })!;
      expect(defaultText(TABLE.find((d) => d.key === 'mqttPort')!)).toContain(String(mqttTls.port));
      // InfluxDB: only the required ones given.
      const influx = resolveInfluxSettings(
        { fileSettings: {}, timeoutMs: 30_000, retryBaseMs: 2000 },
        {},
        { JEELINKY_INFLUXDB_URL: 'http://127.0.0.1:8086', JEELINKY_INFLUXDB_ORG: 'o', JEELINKY_INFLUXDB_BUCKET: 'b' },
      )!;
      same('influxdbMeasurement', influx.measurement);
      // The variables alone.
      same('jeedomEqType', resolveEqType(''));
      same('lockStaleMs', lockStaleMs({}));
      expect(differ).toEqual([]);
      // A default this test cannot observe from outside, and where it is read instead.
      const elsewhere: Record<string, string> = { jeedomConcurrency: "plugin/jeedom/history.ts (the write pool's size)" };
      expect(
        TABLE.filter((s) => s.value !== undefined && !checked.has(s.key) && !(s.key in elsewhere)).map((s) => s.key),
        'a default no check compares with its module',
      ).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds every JEELINKY_* name the library and the CLI use (and no test hook appears there)', () => {
    const known = TABLE.map((s) => s.env);
    const walk = (d: string): string[] =>
      fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) return ['simulators', 'bench'].includes(e.name) ? [] : walk(p);
        return e.name.endsWith('.ts') ? [p] : [];
      });
    const unknown: string[] = [];
    for (const file of [...walk(path.join(ROOT, 'plugin')), ...walk(path.join(ROOT, 'scenario'))]) {
      fs.readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const m of line.matchAll(/JEELINKY_[A-Z0-9_]*/g)) {
            const name = m[0];
            const next = line[m.index! + name.length] ?? '';
            // A family written with a wildcard or a prefix (JEELINKY_PRICE_TEMPO_*, "the JEELINKY_ prefix"):
            // some setting must still carry it.
            const family = name.endsWith('_') || next === '*' || next === '{';
            const ok = name.startsWith('JEELINKY_TEST') ? false : family ? known.some((e) => e.startsWith(name)) : known.includes(name);
            if (!ok) unknown.push(`${path.relative(ROOT, file)}:${i + 1}: ${name}${family ? '…' : ''}`);
          }
        });
    }
    expect(unknown).toEqual([]);
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
  it('has no flag that no command takes (read from the help of every command)', async () => {
    const flags = new Set((await commandsFromHelp({ JEELINKY_STATE_DIR: tempDir() })).flatMap((c) => c.flags));
    expect(flags).toContain('mqtt-host');
    const named = TABLE.flatMap((s) => [...(s.flag ? [s.flag] : []), ...(s.otherFlags ?? [])]);
    expect(named.filter((f) => !flags.has(f))).toEqual([]);
  }, 60_000);

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
