/**
 * Slips on the command line, the real CLI as a child process against the simulator on loopback:
 * an unknown or misspelt flag or command stops jeelinky before anything runs (exit 64, one line with
 * the closest valid name, no API call, no file written), values are checked as typed, and
 * config.json keys are checked too.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_FILE_KEYS } from '../plugin/config.js';
import { INFLUX_SETTINGS } from '../plugin/sinks/influx.js';
import { MQTT_SETTINGS } from '../plugin/sinks/mqtt-config.js';
import type { EnedisSimulator } from '../simulators/enedis.js';
import { commandsFromHelp } from './support/cli-help.js';
import { CLI, ROOT, runCli, tempDir, type CliResult } from './support/core.js';
import { cliWorld, type CliWorld } from './support/world.js';

let world: CliWorld | undefined;
let sim: EnedisSimulator;
let stateDir: string;
let env: Record<string, string>;

beforeAll(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" before the tests (npm test does)`);
  world = await cliWorld({ pair: true });
  ({ enedis: sim, dir: stateDir, env } = world);
}, 60_000);

afterAll(() => world?.close());

/** Every file of the state directory with a hash of its content and its mtime. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = `${crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex')} ${fs.statSync(p).mtimeMs}`;
    }
  };
  walk(dir);
  return out;
}

/** Runs the CLI and proves that nothing ran: no request reached the simulator, no state file changed. */
async function refusedBeforeAnything(args: string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const calls = sim.calls.length;
  const before = snapshot(stateDir);
  const r = await runCli(args, { ...env, ...extraEnv });
  expect({ args, code: r.code, stdout: r.stdout, lines: r.stderr.trim().split('\n').length }).toEqual({
    args,
    code: 64,
    stdout: '',
    lines: 1,
  });
  expect(sim.calls.length).toBe(calls);
  expect(snapshot(stateDir)).toEqual(before);
  return r;
}

describe('an unknown or misspelt flag stops the command before anything runs', () => {
  it('backfill --dryrun makes no call and spends no budget', async () => {
    const r = await refusedBeforeAnything(['backfill', '--dryrun']);
    expect(r.stderr).toBe('jeelinky: unknown flag --dryrun: did you mean --dry-run?\n');
  });

  it('run --frist-connexion does not run the daily job', async () => {
    const r = await refusedBeforeAnything(['run', '--frist-connexion']);
    expect(r.stderr).toBe('jeelinky: unknown flag --frist-connexion: did you mean --first-connexion?\n');
  });

  it('status --gap prints nothing', async () => {
    const r = await refusedBeforeAnything(['status', '--gap']);
    expect(r.stderr).toBe('jeelinky: unknown flag --gap: did you mean --gaps?\n');
  });

  it('every command refuses a bogus flag, a misspelt one and a stray word', async () => {
    const all = await commandsFromHelp(env);
    expect(all.map((s) => s.path)).toEqual(
      expect.arrayContaining([
        'jeelinky run',
        'jeelinky backfill',
        'jeelinky jeedom setup',
        'jeelinky date',
        'jeelinky stats',
        'jeelinky demo',
      ]),
    );
    for (const spec of all) {
      const words = spec.path.split(' ').slice(1);
      const bogus = await refusedBeforeAnything([...words, '--zzz-bogus']);
      expect(bogus.stderr).toMatch(
        new RegExp(`^jeelinky: unknown flag --zzz-bogus for ${spec.path}: "${spec.path} --help" lists its flags\\n$`),
      );
      // The command's own first flag with its second letter dropped: the line names the right one.
      const flag = spec.flags.find((f) => f.length >= 4 && f !== 'help' && f !== 'version')!;
      const slip = flag.slice(0, 1) + flag.slice(2);
      const misspelt = await refusedBeforeAnything([...words, `--${slip}`]);
      expect(misspelt.stderr).toBe(`jeelinky: unknown flag --${slip}: did you mean --${flag}?\n`);
      if (!spec.positionals) {
        const stray = await refusedBeforeAnything([...words, 'yesterday']);
        expect(stray.stderr).toContain(`${spec.path} takes no argument "yesterday"`);
      }
    }
  }, 300_000);

  it('a flag of another command says which command has it', async () => {
    const r = await refusedBeforeAnything(['status', '--dry-run']);
    expect(r.stderr).toContain('unknown flag --dry-run for jeelinky status (it is a flag of backfill, jeedom setup)');
  });

  it('unknown commands and subcommands name the closest one', async () => {
    expect((await refusedBeforeAnything(['statuss'])).stderr).toBe('jeelinky: unknown command "statuss": did you mean status?\n');
    expect((await refusedBeforeAnything(['jeedom', 'setpu'])).stderr).toBe(
      'jeelinky: unknown jeedom command "setpu": did you mean setup?\n',
    );
    expect((await refusedBeforeAnything(['jeedom'])).stderr).toContain('name a command: jeelinky jeedom setup');
    expect((await refusedBeforeAnything([])).stderr).toContain('name a command: jeelinky <run|pair|status');
    // yargs reads "--json status" as --json=status: say where the flag goes.
    expect((await refusedBeforeAnything(['--json', 'status'])).stderr).toBe(
      'jeelinky: --json comes before the command: write it after, e.g. jeelinky status --json\n',
    );
    expect((await refusedBeforeAnything(['backfill', '-dry-run'])).stderr).toBe(
      'jeelinky: unknown flag -dry-run: did you mean --dry-run?\n',
    );
  });

  it('--help, --version, --no-<flag>, camelCase and flags before the command still work', async () => {
    const help = await runCli(['backfill', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--dry-run');
    expect((await runCli(['jeedom', 'setup', '--help'], env)).stdout).toContain('--no-statistics');
    const version = await runCli(['--version'], env);
    expect(version).toMatchObject({ code: 0, stdout: '0.1.0\n' });
    expect((await runCli(['--help'], env)).code).toBe(0);

    const noJson = await runCli(['status', '--no-json', '--stateDir', stateDir], env);
    expect(noJson.code).toBe(0);
    expect(noJson.stdout).toContain(`State:        ${stateDir}`);
    const before = sim.meteringCalls().length;
    const camel = await runCli(['backfill', '--dryRun', '--json'], env);
    expect(camel.code).toBe(0);
    expect(sim.meteringCalls().length).toBe(before); // --dryRun is --dry-run: no call
    expect((await runCli(['status', '--json', 'false'], env)).code).toBe(0);
  });
});

describe('values are checked as typed', () => {
  it('a number that is not one is refused as typed, before anything runs', async () => {
    expect((await refusedBeforeAnything(['backfill', '--budget', 'abc'])).stderr).toBe(
      'jeelinky: --budget "abc": give a whole number, 0 or more\n',
    );
    expect((await refusedBeforeAnything(['run', '--pace-ms=fast'])).stderr).toBe(
      'jeelinky: --pace-ms "fast": give a whole number, 0 or more\n',
    );
    expect((await refusedBeforeAnything(['run', '--mqtt-port', 'abc'])).stderr).toContain('--mqtt-port "abc": give a TCP port, 1 to 65535');
    expect((await refusedBeforeAnything(['publish', '--mqtt-qos', '3'])).stderr).toContain('--mqtt-qos "3": give 0, 1 or 2');
    expect((await refusedBeforeAnything(['run', '--jeedom-rate', 'fast'])).stderr).toContain('--jeedom-rate "fast"');
    expect((await refusedBeforeAnything(['demo', '--days', '0'])).stderr).toContain('--days "0": give a whole number from 1 to 400');
    expect((await refusedBeforeAnything(['backfill', '--budget'])).stderr).toContain('--budget needs a value');
    // A string value that starts with "-" is not read as a flag, and not shown (it may be a password).
    const dashed = await refusedBeforeAnything(['run', '--mqtt-host', '127.0.0.1', '--mqtt-username', 'u', '--mqtt-password', '-s3cret']);
    expect(dashed.stderr).toBe(
      'jeelinky: --mqtt-password needs a value: a value that starts with "-" is written --mqtt-password=<value>\n',
    );
  });

  it('an enum flag refused names the flag as typed', async () => {
    expect((await refusedBeforeAnything(['tariff', '--by', 'week'])).stderr).toBe('jeelinky: --by "week": give day or month\n');
    expect((await refusedBeforeAnything(['publish', '--sink', 'inflx'])).stderr).toBe(
      'jeelinky: --sink "inflx": give jeedom, mqtt or influx (did you mean influx?)\n',
    );
    expect((await refusedBeforeAnything(['stats', '--unit', 'MWh', '--', 'daily_consumption', 'sum', 'today', 'now'])).stderr).toContain(
      '--unit "MWh": give Wh or kWh',
    );
    const plan = await refusedBeforeAnything(['tariff', '--plan', 'FOO']);
    expect(plan.stderr).toContain('--plan="FOO"');
    expect(plan.stderr).not.toContain('currentPlan');
  });

  it('an expression starting with "-" says to put -- before it', async () => {
    const r = await refusedBeforeAnything(['date', '-7 days']);
    expect(r.stderr).toBe('jeelinky: "-7 days" starts with "-": put -- before the expressions, e.g. jeelinky date -- "-7 days"\n');
    expect((await refusedBeforeAnything(['stats', 'daily_consumption', 'sum', '-7 days', 'now'])).stderr).toContain(
      'jeelinky stats -- "-7 days"',
    );
    const ok = await runCli(['date', '--now', '2024-11-05T09:17:00+01:00', '--', '-7 days'], env);
    expect(ok).toMatchObject({ code: 0, stdout: '2024-10-29T09:17:00+01:00\n' });
  });

  it('a --since in the future or after --until is a usage error, with no call', async () => {
    for (const args of [
      ['run', '--since', '2099-01-01'],
      ['run', '--daily-consumption', '--since', '+1 week'],
      ['backfill', '--since', 'tomorrow'],
      ['publish', '--since', '2099-01-01', '--jeedom-url', 'http://127.0.0.1:9', '--jeedom-apikey', 'k'],
      ['report', '--since', '2024-02-01', '--until', '2024-01-01'],
      ['tariff', '--since', '2024-02-01', '--until', '2024-01-01'],
    ]) {
      const r = await refusedBeforeAnything(args);
      expect(r.stderr).toMatch(/--since .*(is in the future \(today is \d{4}-\d{2}-\d{2}\): give a past day|is after --until 2024-01-01)/);
    }
  });

  it('a JEELINKY_* variable with a bad value is exit 78 naming the variable', async () => {
    for (const [name, value] of [
      ['JEELINKY_PACE_MS', 'fast'],
      ['JEELINKY_DAILY_CALL_BUDGET', 'lots'],
      ['JEELINKY_MQTT_PORT', 'abc'],
      ['JEELINKY_MQTT_QOS', '5'],
      ['JEELINKY_JEEDOM_RATE', 'fast'],
      ['JEELINKY_CURRENT_PLAN', 'FOO'],
      ['JEELINKY_TZ', 'Mars/Olympus'],
    ] as const) {
      // Only the sink whose variable is wrong is configured: no other sink is left connecting.
      const sink: Record<string, string> = name.startsWith('JEELINKY_MQTT')
        ? { JEELINKY_MQTT_HOST: '127.0.0.1' }
        : { JEELINKY_JEEDOM_URL: 'http://127.0.0.1:9', JEELINKY_JEEDOM_APIKEY: 'k' };
      const extra: Record<string, string> = { [name]: value, ...sink };
      const args = name === 'JEELINKY_CURRENT_PLAN' ? ['tariff'] : ['publish'];
      const r = await runCli(args, { ...env, ...extra });
      expect({ name, code: r.code, lines: r.stderr.trim().split('\n').length }).toEqual({ name, code: 78, lines: 1 });
      expect(r.stderr).toMatch(new RegExp(`${name}(="|: unknown time zone ")${value.replace('/', '\\/')}"`));
    }
  });
});

describe('config.json keys', () => {
  it('an unknown key is a configuration error naming the file, the key and the closest known key', async () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'config.json');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ jeedomURL: 'http://127.0.0.1:9' }, 'unknown key jeedomURL: did you mean jeedomUrl?'],
        [{ paceMs: 0, paceMS: 10 }, 'unknown key paceMS: did you mean paceMs?'],
        [{ mqttHots: '127.0.0.1' }, 'unknown key mqttHots: did you mean mqttHost?'],
        [{ colour: 'blue' }, 'unknown key colour: keys are the camelCase names listed in the README (Configuration)'],
      ];
      for (const [content, message] of cases) {
        fs.writeFileSync(file, JSON.stringify(content));
        const r = await runCli(['status'], { ...env, JEELINKY_STATE_DIR: dir });
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 78, stderr: `jeelinky: ${file}: ${message}\n` });
      }
      // Keys owned by the sinks and the tariffs are known.
      fs.writeFileSync(
        file,
        JSON.stringify({
          paceMs: 0,
          mqttPrefix: 'home',
          influxdbMeasurement: 'linky',
          priceBase: '0.2516',
          currentPlan: 'BASE',
          jeedomRate: 5,
        }),
      );
      expect((await runCli(['status'], { ...env, JEELINKY_STATE_DIR: dir })).code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the list of config.json keys', () => {
  it('holds every key a module reads with pickSetting, so that none is refused as unknown', () => {
    const keys = new Set<string>([...Object.values(MQTT_SETTINGS), ...Object.values(INFLUX_SETTINGS)].map((s) => s[2]));
    // Literal pairs such as pickSetting(…, 'JEELINKY_JEEDOM_RATE', 'jeedomRate', …) anywhere in the library,
    // and the keys read through the table: readSetting('jeedomRate', …), settingNames('mqttHost'),
    // the tariff's price('priceBase') and pick(…, 'currentPlan', …), the Tempo's pick('tempoFile', …) and set('tempoSource').
    const walk = (d: string): string[] =>
      fs
        .readdirSync(d, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : []));
    for (const file of walk(path.join(ROOT, 'plugin'))) {
      const text = fs.readFileSync(file, 'utf8');
      for (const m of text.matchAll(/'JEELINKY_[A-Z_]+',\s*'([a-zA-Z]+)'/g)) keys.add(m[1]!);
      for (const m of text.matchAll(
        /(?<![.\w])(?:readSetting|settingNames|price|pick|set)(?:<[^>]*>)?\((?:(?:undefined|flags\.\w+),\s*)?'([a-z][a-zA-Z]+)'/g,
      ))
        keys.add(m[1]!);
    }
    expect(keys.size).toBeGreaterThan(25);
    expect([...keys].filter((k) => !CONFIG_FILE_KEYS.includes(k))).toEqual([]);
  });
});
