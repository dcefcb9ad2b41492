/**
 * `jeelinky jeedom setup`: creates or checks the Jeedom virtual device of a PDL and its info commands
 * (logicalIds are a contract, see README). Idempotent; `--dry-run` only says what it would do.
 */
import type { Argv, CommandModule } from 'yargs';
import { acquireStateLock } from '../../plugin/store/lock.js';
import { resolveConfig, type ConfigOverrides } from '../../plugin/config.js';
import { ConfigError } from '../../plugin/errors.js';
import { JeedomClient } from '../../plugin/jeedom/client.js';
import { maskUsagePoint } from '../../plugin/secrets.js';
import { StateStore } from '../../plugin/store/state.js';
import { TokenState } from '../../plugin/store/tokens.js';
import {
  assertUsagePoint,
  boundUsagePoints,
  defaultEquipment,
  ensureVirtualDevice,
  UNPAIRED_EQUIPMENT,
  UNPAIRED_LOGICAL_ID,
  type SetupReport,
} from '../../plugin/jeedom/virtual.js';
import type { SectionArgs } from '../../plugin/settings.js';
import { printJson } from '../output.js';
import { overridesFromArgs, withSettingOptions } from './setting-options.js';

export interface JeedomArgs {
  'jeedom-url'?: string;
  'jeedom-apikey'?: string;
  'usage-point'?: string;
  'state-dir'?: string;
  equipment?: string;
  'dry-run'?: boolean;
  json?: boolean;
  statistics?: boolean;
}

/** Jeedom connection flags (--jeedom-url, --jeedom-apikey), shared by every command that talks to Jeedom. */
export function withJeedomOptions<T>(y: Argv<T>): Argv<T & JeedomConnectionArgs> {
  return withSettingOptions<T, JeedomConnectionArgs>(y, JEEDOM_CONNECTION);
}

export type JeedomConnectionArgs = Pick<SectionArgs<'jeedom'>, 'jeedom-url' | 'jeedom-apikey'>;

/** The Jeedom sink's flags: the connection and --jeedom-rate (run, backfill, publish). */
export function withJeedomSinkOptions<T>(y: Argv<T>): Argv<T & SectionArgs<'jeedom'>> {
  return withSettingOptions<T & JeedomConnectionArgs, SectionArgs<'jeedom'>>(withJeedomOptions(y), ['jeedomRate']);
}
const JEEDOM_CONNECTION = ['jeedomUrl', 'jeedomApiKey'] as const;

/** The configuration overrides of the Jeedom connection flags. */
export function jeedomOverrides(argv: JeedomConnectionArgs): ConfigOverrides {
  return overridesFromArgs(argv, JEEDOM_CONNECTION);
}

export function jeedomClientFromArgs(argv: JeedomArgs): { client: JeedomClient; usagePoint?: string } {
  const config = resolveConfig({
    ...jeedomOverrides(argv),
    ...overridesFromArgs(argv as Record<string, unknown>, ['usagePoint', 'stateDir']),
  });
  if (!config.jeedomUrl)
    throw new ConfigError('no Jeedom URL: set JEELINKY_JEEDOM_URL or pass --jeedom-url (e.g. http://192.168.1.20)', 'jeedom_url');
  if (!config.jeedomApiKey) {
    throw new ConfigError(
      'no Jeedom API key: set JEELINKY_JEEDOM_APIKEY or pass --jeedom-apikey (Réglages → Système → Configuration → API)',
      'jeedom_apikey',
    );
  }
  return { client: new JeedomClient({ url: config.jeedomUrl, apikey: config.jeedomApiKey }), usagePoint: config.usagePoint };
}

const SYMBOL: Record<string, string> = {
  create_object: '+ object ',
  create_device: '+ device ',
  adopt_device: '~ adopt device ',
  bind_device: '~ bind device ',
  create_command: '+ command ',
  adopt_command: '~ adopt command ',
  update_command: '~ fix command ',
};

function render(report: SetupReport, url: string): string {
  const lines: string[] = [];
  lines.push(
    report.usagePoint === null
      ? `Jeedom ${url} (timezone ${report.timezone}), no PDL yet: the device waits for pairing (logicalId ${UNPAIRED_LOGICAL_ID}) and is bound to your PDL when it becomes known`
      : `Jeedom ${url} (timezone ${report.timezone}), PDL ${report.usagePoint}`,
  );
  lines.push(
    `Device ${report.device.humanName}${report.device.id ? ` (id ${report.device.id})` : ''}, logicalId ${report.device.logicalId}`,
  );
  for (const c of report.changes)
    lines.push(`  ${SYMBOL[c.action] ?? c.action}${c.target}${c.details?.length ? `: ${c.details.join(', ')}` : ''}`);
  for (const w of report.warnings) lines.push(`  ! ${w}`);
  if (!report.changed) lines.push('Nothing to change: the device and its commands are as jeelinky needs them.');
  else if (report.dryRun) lines.push(`${report.changes.length} change(s) would be made (dry run: nothing written).`);
  else lines.push(`${report.changes.length} change(s) made.`);
  return `${lines.join('\n')}\n`;
}

const setupCommand: CommandModule<object, JeedomArgs> = {
  command: 'setup',
  describe: 'Create or check the virtual device of the PDL and its info commands (idempotent)',
  builder: (y) =>
    withSettingOptions(withJeedomOptions(y), ['usagePoint', 'stateDir'])
      .option('equipment', { type: 'string', describe: 'Where a new device goes, "[Objet][Équipement]" [default "[Linky][Linky <PDL>]"]' })
      .option('dry-run', { type: 'boolean', describe: 'Print what would be created or changed, write nothing' })
      .option('statistics', { type: 'boolean', default: true, describe: 'Also the six stats_*_kwh commands (--no-statistics to skip)' })
      .option('json', { type: 'boolean', describe: 'Print the report as JSON' })
      .example('$0 jeedom setup --equipment "[Maison][Linky]" --dry-run', 'See what setup would do')
      .example(
        'JEELINKY_JEEDOM_URL=http://192.168.1.20 JEELINKY_JEEDOM_APIKEY=… $0 jeedom setup --usage-point 12345678901234',
        '',
      ) as Argv<JeedomArgs>,
  handler: async (argv) => {
    const { client, usagePoint } = jeedomClientFromArgs(argv);
    // Two setups at once would both see "no device" and create two: one jeelinky run at a time.
    const { stateDir, lockWaitMs, kinds } = resolveConfig(argv['state-dir'] !== undefined ? { stateDir: argv['state-dir'] } : {});
    const lock = await acquireStateLock(stateDir, lockWaitMs);
    try {
      const targets = await setupTargets(client, usagePoint, stateDir);
      if (targets.length > 1 && argv.equipment) {
        throw new ConfigError(
          `--equipment names one device, and your consent covers ${targets.length} PDLs: add --usage-point <PDL> to say which one it is for`,
          'equipment_ambiguous',
        );
      }
      const reports: object[] = [];
      for (const pdl of targets) {
        const report = await ensureVirtualDevice(client, {
          usagePoint: pdl,
          equipment: argv.equipment,
          dryRun: argv['dry-run'] ?? false,
          statistics: argv.statistics,
          kinds,
        });
        const equipment = argv.equipment ? undefined : pdl === null ? UNPAIRED_EQUIPMENT : defaultEquipment(pdl);
        if (argv.json) reports.push({ url: client.displayUrl, defaultEquipment: equipment, ...report });
        else process.stdout.write(render(report, client.displayUrl));
      }
      // One PDL (the usual case): the report itself; several: one report per PDL, in an array.
      if (argv.json) printJson(reports.length === 1 ? reports[0] : reports);
    } finally {
      client.close();
      await lock.release();
    }
  },
};

/**
 * The PDL(s) whose device setup manages: the one given (--usage-point, JEELINKY_USAGE_POINT_ID,
 * config.json); else every PDL of the consent (one device each); else, before pairing, the PDL of
 * the one device Jeedom already has; else null: the device waiting for pairing.
 */
async function setupTargets(client: JeedomClient, usagePoint: string | undefined, stateDir: string): Promise<(string | null)[]> {
  if (usagePoint !== undefined) return [assertUsagePoint(usagePoint)];
  const tokens = await new TokenState(await StateStore.open(stateDir)).getTokens();
  if (tokens?.usagePoints.length) return tokens.usagePoints.map((p) => assertUsagePoint(p));
  const bound = await boundUsagePoints(client);
  if (bound.length > 1) {
    throw new ConfigError(
      `Jeedom already has the devices of ${bound.length} PDLs (${bound.map(maskUsagePoint).join(', ')}): pass --usage-point <PDL> to say which one to check`,
      'usage_point',
    );
  }
  return bound.length === 1 ? bound : [null];
}

export const jeedomCommand: CommandModule<object, object> = {
  command: 'jeedom <command>',
  describe: 'Jeedom integration: set up the virtual device that receives tokens and readings',
  builder: (y) => y.command(setupCommand).demandCommand(1, 'Name a jeedom command: jeelinky jeedom --help lists them.'),
  handler: () => undefined,
};
