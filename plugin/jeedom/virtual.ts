/**
 * The Jeedom virtual device (plugin "Virtuel") that receives one PDL's token state and readings.
 *
 * Safe recipe of docs/jeedom-api.md §2, which this module follows to the letter:
 * - the device is found by its logicalId (`jeelinky_<PDL>`), never created twice (an
 *   `eqLogic::save` without id duplicates it);
 * - a device set up before pairing, when no PDL is known yet, carries `jeelinky_unpaired`; it is
 *   re-bound to `jeelinky_<PDL>` (same id, commands and history) as soon as the PDL is known;
 * - `eqLogic::save` carries a `cmd` list only when the device is created (a partial list deletes
 *   the omitted commands and their history); later commands are added one by one with `cmd::save`,
 *   and settings are fixed with `cmd::save {id, configuration}` (keys merge, null removes);
 * - user commands are never deleted or renamed, and neither is the device.
 */
import { ConfigError } from '../errors.js';
import { maskUsagePoint } from '../secrets.js';
import type { ReadingKind } from '../readings.js';
import type { JeedomClient, JeedomEqType } from './client.js';
import type { JeedomCmd, JeedomEqLogic, JeedomObject } from './wire.js';
import { JeedomAmbiguousError, JeedomNotFoundError } from './errors.js';
import { type EquipmentAddress, humanEquipment, looseKey, matchEquipments, NO_OBJECT_NAMES, parseEquipmentAddress } from './names.js';

export type CmdSubType = 'numeric' | 'string' | 'binary';

export interface CommandSpec {
  /** The contract users' scenarios rely on. */
  logicalId: string;
  /** Display name given at creation (the user may rename it afterwards). */
  name: string;
  subType: CmdSubType;
  unite: string;
  historized: boolean;
  /** Shown on the dashboard at creation (tokens are not). */
  visible: boolean;
  meaning: string;
}

/** Settings every historised numeric command must keep (docs/jeedom-api.md §4, "What a backfilling client must do"). */
export const HISTORY_CONFIGURATION = {
  historizeMode: 'none',
  historyPurge: 'never',
  repeatEventManagement: 'always',
} as const;

/** Keys that silently alter written values (smoothing, rounding, clamping, offsets, dropped values). */
export const FORBIDDEN_CONFIGURATION_KEYS = [
  'history::smooth',
  'historizeRound',
  'minValue',
  'maxValue',
  'calculValueOffset',
  'denyValues',
] as const;

export const TOKEN_COMMANDS: CommandSpec[] = [
  {
    logicalId: 'device_code',
    name: 'device_code',
    subType: 'string',
    unite: '',
    historized: false,
    visible: false,
    meaning: 'device code of the pairing in progress (secret)',
  },
  {
    logicalId: 'access_token',
    name: 'access_token',
    subType: 'string',
    unite: '',
    historized: false,
    visible: false,
    meaning: 'current access token (secret)',
  },
  {
    logicalId: 'token_type',
    name: 'token_type',
    subType: 'string',
    unite: '',
    historized: false,
    visible: false,
    meaning: 'token type, "Bearer"',
  },
  {
    logicalId: 'refresh_token',
    name: 'refresh_token',
    subType: 'string',
    unite: '',
    historized: false,
    visible: false,
    meaning: 'current refresh token (secret; jeelinky keeps the write-ahead copy locally)',
  },
  {
    logicalId: 'usage_point_id',
    name: 'usage_point_id',
    subType: 'string',
    unite: '',
    historized: false,
    visible: true,
    meaning: 'the PDL (14 digits)',
  },
];

export const RELAUNCH_COMMAND: CommandSpec = {
  logicalId: 'relaunch',
  name: 'relaunch',
  subType: 'binary',
  unite: '',
  historized: false,
  visible: true,
  meaning: '1 when the last run failed temporarily and should run again in about 3 hours; 0 after a successful run',
};

export const READING_COMMANDS: CommandSpec[] = [
  {
    logicalId: 'daily_consumption',
    name: 'value',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy consumed per day, at <day> 12:00:00',
  },
  {
    logicalId: 'max_power',
    name: 'maxPower',
    subType: 'numeric',
    unite: 'VA',
    historized: true,
    visible: true,
    meaning: 'maximum apparent power of the day, at the instant it happened',
  },
  {
    logicalId: 'load_curve_power',
    name: 'load_curve_power',
    subType: 'numeric',
    unite: 'W',
    historized: true,
    visible: true,
    meaning: 'average power over each load-curve interval, at the interval start',
  },
  {
    logicalId: 'load_curve_energy',
    name: 'load_curve_energy',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy of each load-curve interval, at the interval start (sums to the day)',
  },
  {
    logicalId: 'daily_production',
    name: 'daily_production',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy produced per day, at <day> 12:00:00',
  },
  {
    logicalId: 'production_load_curve_power',
    name: 'production_load_curve_power',
    subType: 'numeric',
    unite: 'W',
    historized: true,
    visible: true,
    meaning: 'average production power per interval, at the interval start',
  },
  {
    logicalId: 'production_load_curve_energy',
    name: 'production_load_curve_energy',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy produced per interval, at the interval start',
  },
];

/** The forum scenario's six figures (docs/origins.md §6), refreshed by the daily run; the last value only. */
export const STATISTICS_COMMANDS: CommandSpec[] = [
  {
    logicalId: 'stats_day_kwh',
    name: 'stats_day_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption of the last published day (the day before yesterday as the forum scenario computes it)',
  },
  {
    logicalId: 'stats_this_week_kwh',
    name: 'stats_this_week_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption since Monday 00:00',
  },
  {
    logicalId: 'stats_last_week_kwh',
    name: 'stats_last_week_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption of last week, Monday to Sunday',
  },
  {
    logicalId: 'stats_this_month_kwh',
    name: 'stats_this_month_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption since the 1st of this month',
  },
  {
    logicalId: 'stats_last_month_kwh',
    name: 'stats_last_month_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption of last month',
  },
  {
    logicalId: 'stats_this_year_kwh',
    name: 'stats_this_year_kwh',
    subType: 'numeric',
    unite: 'kWh',
    historized: false,
    visible: true,
    meaning: 'consumption since 1 January',
  },
];

/** The tariff's figures of each day whose load curve is complete (plugin/tariff/days.ts), at `<day> 12:00:00`. */
export const TARIFF_COMMANDS: CommandSpec[] = [
  {
    logicalId: 'hp_energy',
    name: 'hp_energy',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy consumed in peak hours (HP) per day, at <day> 12:00:00',
  },
  {
    logicalId: 'hc_energy',
    name: 'hc_energy',
    subType: 'numeric',
    unite: 'Wh',
    historized: true,
    visible: true,
    meaning: 'energy consumed in off-peak hours (HC) per day, at <day> 12:00:00',
  },
  {
    logicalId: 'cost',
    name: 'cost',
    subType: 'numeric',
    unite: '€',
    historized: true,
    visible: true,
    meaning: 'cost of the day under the current plan (energy + share of the subscription), at <day> 12:00:00',
  },
];

/** Tempo (written only when Tempo is in use): colours, the six sub-counters and cost per Tempo day at `<Tempo day> 12:00:00`, days left. */
export const TEMPO_COMMANDS: CommandSpec[] = [
  {
    logicalId: 'tempo_today',
    name: 'tempo_today',
    subType: 'string',
    unite: '',
    historized: false,
    visible: true,
    meaning: "today's Tempo colour: BLUE, WHITE, RED, or empty when not known",
  },
  {
    logicalId: 'tempo_tomorrow',
    name: 'tempo_tomorrow',
    subType: 'string',
    unite: '',
    historized: false,
    visible: true,
    meaning: "tomorrow's Tempo colour (RTE publishes it at 10:30): BLUE, WHITE, RED, or empty when not known",
  },
  ...(['blue', 'white', 'red'] as const).flatMap((c) =>
    (['hp', 'hc'] as const).map(
      (p): CommandSpec => ({
        logicalId: `tempo_${c}_${p}`,
        name: `tempo_${c}_${p}`,
        subType: 'numeric',
        unite: 'Wh',
        historized: true,
        visible: true,
        meaning: `energy of ${c.toUpperCase()} Tempo days in ${p.toUpperCase()} hours, per Tempo day (06:00 → 06:00), at <Tempo day> 12:00:00`,
      }),
    ),
  ),
  {
    logicalId: 'tempo_cost',
    name: 'tempo_cost',
    subType: 'numeric',
    unite: '€',
    historized: true,
    visible: true,
    meaning: "cost of the Tempo day (energy at its colour's prices + share of the Tempo subscription), at <Tempo day> 12:00:00",
  },
  {
    logicalId: 'tempo_red_left',
    name: 'tempo_red_left',
    subType: 'numeric',
    unite: '',
    historized: false,
    visible: true,
    meaning: 'red days left in the current Tempo season',
  },
  {
    logicalId: 'tempo_white_left',
    name: 'tempo_white_left',
    subType: 'numeric',
    unite: '',
    historized: false,
    visible: true,
    meaning: 'white days left in the current Tempo season',
  },
];

/**
 * The jeelinky Jeedom plugin's device (eqType jeelinky) gets what Jeedom users expect: French
 * display names at creation and Jeedom 4.5's generic types (core/config/jeedom.config.php) where
 * one fits. The logicalIds stay the contract; the Virtuel path keeps the forum scenario's names (docs/origins.md §2).
 */
export const PLUGIN_COMMAND_LOOK: Record<string, { name: string; genericType?: string }> = {
  device_code: { name: "Code d'appairage" },
  access_token: { name: "Jeton d'accès" },
  token_type: { name: 'Type de jeton' },
  refresh_token: { name: 'Jeton de rafraîchissement' },
  usage_point_id: { name: 'PDL' },
  relaunch: { name: 'Relance' },
  daily_consumption: { name: 'Consommation journalière', genericType: 'DAILY_CONSUMPTION' },
  max_power: { name: 'Puissance maximale', genericType: 'POWER' },
  load_curve_power: { name: 'Puissance moyenne', genericType: 'POWER' },
  load_curve_energy: { name: 'Énergie par intervalle', genericType: 'CONSUMPTION' },
  daily_production: { name: 'Production journalière', genericType: 'DAILY_PRODUCTION' },
  production_load_curve_power: { name: 'Puissance produite', genericType: 'PRODUCTION' },
  production_load_curve_energy: { name: 'Énergie produite par intervalle' },
  hp_energy: { name: 'Énergie heures pleines' },
  hc_energy: { name: 'Énergie heures creuses' },
  cost: { name: 'Coût du jour' },
  stats_day_kwh: { name: 'Dernier jour (kWh)' },
  stats_this_week_kwh: { name: 'Cette semaine (kWh)' },
  stats_last_week_kwh: { name: 'Semaine dernière (kWh)' },
  stats_this_month_kwh: { name: 'Ce mois (kWh)' },
  stats_last_month_kwh: { name: 'Mois dernier (kWh)' },
  stats_this_year_kwh: { name: 'Cette année (kWh)' },
  tempo_today: { name: 'Couleur Tempo du jour' },
  tempo_tomorrow: { name: 'Couleur Tempo de demain' },
  tempo_blue_hp: { name: 'Tempo bleu HP', genericType: 'CONSUMPTION' },
  tempo_blue_hc: { name: 'Tempo bleu HC', genericType: 'CONSUMPTION' },
  tempo_white_hp: { name: 'Tempo blanc HP', genericType: 'CONSUMPTION' },
  tempo_white_hc: { name: 'Tempo blanc HC', genericType: 'CONSUMPTION' },
  tempo_red_hp: { name: 'Tempo rouge HP', genericType: 'CONSUMPTION' },
  tempo_red_hc: { name: 'Tempo rouge HC', genericType: 'CONSUMPTION' },
  tempo_cost: { name: 'Coût Tempo du jour' },
  tempo_red_left: { name: 'Jours rouges restants' },
  tempo_white_left: { name: 'Jours blancs restants' },
};

/** The reading kind a reading or tariff command depends on (undefined: always fetched). */
const COMMAND_KIND: Record<string, ReadingKind> = {
  daily_consumption: 'daily_consumption',
  max_power: 'max_power',
  load_curve_power: 'load_curve',
  load_curve_energy: 'load_curve',
  hp_energy: 'load_curve',
  hc_energy: 'load_curve',
  cost: 'load_curve',
  daily_production: 'daily_production',
  production_load_curve_power: 'production_load_curve',
  production_load_curve_energy: 'production_load_curve',
  ...Object.fromEntries(['blue', 'white', 'red'].flatMap((c) => ['hp', 'hc'].map((h) => [`tempo_${c}_${h}`, 'load_curve' as ReadingKind]))),
  tempo_cost: 'load_curve',
};

export const ALL_COMMANDS: CommandSpec[] = [
  ...TOKEN_COMMANDS,
  RELAUNCH_COMMAND,
  ...READING_COMMANDS,
  ...TARIFF_COMMANDS,
  ...TEMPO_COMMANDS,
  ...STATISTICS_COMMANDS,
];

export const deviceLogicalId = (usagePoint: string) => `jeelinky_${usagePoint}`;
export const defaultEquipment = (usagePoint: string) => `[Linky][Linky ${usagePoint}]`;
/**
 * The logicalId of the device created before pairing (the forum scenario's order: the virtual
 * first, the code into it, then the consent). Re-bound to `jeelinky_<PDL>` when the PDL is known.
 */
export const UNPAIRED_LOGICAL_ID = 'jeelinky_unpaired';
export const UNPAIRED_EQUIPMENT = '[Linky][Linky]';
const PDL_LOGICAL_ID = /^jeelinky_\d{14}$/;

export function assertUsagePoint(usagePoint: string | undefined): string {
  const pdl = (usagePoint ?? '').trim();
  if (!/^\d{14}$/.test(pdl)) {
    throw new ConfigError(
      pdl ? `usage point "${maskUsagePoint(pdl)}" is not a 14-digit PDL` : 'no PDL: pass --usage-point or set JEELINKY_USAGE_POINT_ID',
      'usage_point',
    );
  }
  return pdl;
}

/** The configuration a command of this spec must have: key → wanted value (null = must be absent). */
export function wantedConfiguration(spec: CommandSpec): Record<string, string | null> {
  if (spec.subType === 'numeric' && spec.historized) {
    const out: Record<string, string | null> = { ...HISTORY_CONFIGURATION };
    for (const k of FORBIDDEN_CONFIGURATION_KEYS) out[k] = null;
    return out;
  }
  // Every relaunch=1 must fire the scenario's trigger, even when the previous run also failed.
  if (spec.logicalId === 'relaunch') return { repeatEventManagement: 'always', denyValues: null };
  if (spec.subType === 'numeric')
    return { historizeRound: null, minValue: null, maxValue: null, calculValueOffset: null, denyValues: null };
  return { denyValues: null };
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** What differs between a command and its spec, as a `cmd::save` patch plus readable lines. */
export function commandFixes(cmd: JeedomCmd, spec: CommandSpec): { patch: Record<string, unknown>; details: string[] } {
  const patch: Record<string, unknown> = {};
  const details: string[] = [];
  if (cmd.subType !== spec.subType) {
    patch.subType = spec.subType;
    details.push(`subType ${cmd.subType || '∅'} → ${spec.subType}`);
  }
  if (cmd.unite !== spec.unite) {
    patch.unite = spec.unite;
    details.push(`unit "${cmd.unite}" → "${spec.unite}"`);
  }
  if (cmd.isHistorized !== spec.historized) {
    patch.isHistorized = spec.historized ? 1 : 0;
    details.push(`historiser ${cmd.isHistorized ? 'on' : 'off'} → ${spec.historized ? 'on' : 'off'}`);
  }
  const configuration: Record<string, string | null> = {};
  for (const [k, want] of Object.entries(wantedConfiguration(spec))) {
    const have = cmd.configuration[k];
    if (want === null) {
      if (present(have)) {
        configuration[k] = null;
        details.push(`remove ${k} (was ${String(have)})`);
      }
    } else if (String(have ?? '') !== want) {
      configuration[k] = want;
      details.push(`${k} ${present(have) ? String(have) : '∅'} → ${want}`);
    }
  }
  if (Object.keys(configuration).length) patch.configuration = configuration;
  return { patch, details };
}

/** Problems that would make history writes lossy; empty when the command is fit. */
export function historySettingsProblems(cmd: JeedomCmd, spec: CommandSpec): string[] {
  return commandFixes(cmd, spec).details;
}

/**
 * How a new command looks: the forum scenario's name on a Virtuel; French name, generic type and only fetched kinds visible on the
 * plugin's device.
 */
interface CreationLook {
  eqType: JeedomEqType;
  kinds?: readonly ReadingKind[];
}

/** The display name a new command gets (the user may rename it afterwards). */
function creationName(spec: CommandSpec, look: CreationLook): string {
  return look.eqType === 'jeelinky' ? (PLUGIN_COMMAND_LOOK[spec.logicalId]?.name ?? spec.name) : spec.name;
}

function creationFields(spec: CommandSpec, name: string, look: CreationLook): Record<string, unknown> {
  const configuration: Record<string, string> = {};
  for (const [k, v] of Object.entries(wantedConfiguration(spec))) if (v !== null) configuration[k] = v;
  const kind = COMMAND_KIND[spec.logicalId];
  const plugin = look.eqType === 'jeelinky';
  const fetched = !plugin || !kind || !look.kinds || look.kinds.includes(kind);
  const genericType = plugin ? PLUGIN_COMMAND_LOOK[spec.logicalId]?.genericType : undefined;
  return {
    name,
    logicalId: spec.logicalId,
    type: 'info',
    subType: spec.subType,
    unite: spec.unite,
    isHistorized: spec.historized ? 1 : 0,
    isVisible: spec.visible && fetched ? 1 : 0,
    ...(genericType ? { generic_type: genericType } : {}),
    configuration,
  };
}

export interface SetupChange {
  action: 'create_object' | 'create_device' | 'adopt_device' | 'bind_device' | 'create_command' | 'adopt_command' | 'update_command';
  target: string;
  details?: string[];
}

export interface SetupReport {
  dryRun: boolean;
  /** Masked PDL; null for the device set up before pairing (logicalId jeelinky_unpaired). */
  usagePoint: string | null;
  timezone: string;
  device: { id?: number; humanName: string; logicalId: string; enabled: boolean };
  /** logicalId → command id (absent in a dry run for commands not created yet). */
  commands: Record<string, number | undefined>;
  changes: SetupChange[];
  warnings: string[];
  changed: boolean;
}

export interface EnsureVirtualOptions {
  /** `[Objet][Équipement]` for a new device; default `[Linky][Linky <PDL>]` (`[Linky][Linky]` before pairing). */
  equipment?: string;
  /** The PDL; null before pairing: the device gets logicalId jeelinky_unpaired until the PDL is known. */
  usagePoint: string | null;
  dryRun?: boolean;
  /** Also the six statistics commands (docs/origins.md §6; default true). */
  statistics?: boolean;
  /** The kinds fetched: on the plugin's device, the commands of other kinds are created hidden. */
  kinds?: readonly ReadingKind[];
}

export interface VirtualDevice {
  eqLogic: JeedomEqLogic;
  humanName: string;
  /** logicalId → command. */
  cmds: Map<string, JeedomCmd>;
}

/** How messages name the device: a Virtuel, or the jeelinky plugin's équipement. */
const deviceWord = (eqType: JeedomEqType) => (eqType === 'virtual' ? 'virtual' : 'jeelinky plugin');

function findByLogicalId(eqLogics: JeedomEqLogic[], logicalId: string, eqType: JeedomEqType): JeedomEqLogic | undefined {
  const found = eqLogics.filter((e) => e.eqType_name === eqType && e.logicalId === logicalId);
  if (found.length > 1) {
    const list = found.map((e) => `id ${e.id} "${e.name}"`);
    throw new JeedomAmbiguousError(
      `${found.length} ${deviceWord(eqType)} devices carry logicalId ${logicalId} (${list.join(', ')}): delete the extra one in Jeedom, keeping the one with history`,
      list,
    );
  }
  return found[0];
}

/** One setup run: the box as read once at the start, and the changes, warnings and command ids it collects. */
interface SetupRun {
  client: JeedomClient;
  dryRun: boolean;
  eqType: JeedomEqType;
  look: CreationLook;
  specs: CommandSpec[];
  /** The device's logicalId: jeelinky_<PDL>, or jeelinky_unpaired before pairing. */
  logicalId: string;
  objects: JeedomObject[];
  eqLogics: JeedomEqLogic[];
  changes: SetupChange[];
  warnings: string[];
  /** logicalId → command id. */
  commands: Record<string, number | undefined>;
  objectName: (id: number | null) => string;
}

/** Creates or checks the virtual device of a PDL and its info commands; idempotent. */
export async function ensureVirtualDevice(client: JeedomClient, opts: EnsureVirtualOptions): Promise<SetupReport> {
  const pdl = opts.usagePoint === null ? null : assertUsagePoint(opts.usagePoint);
  const dryRun = opts.dryRun ?? false;
  const eqType = client.eqType;
  const logicalId = pdl === null ? UNPAIRED_LOGICAL_ID : deviceLogicalId(pdl);
  const [timezone, objects, eqLogics] = await Promise.all([client.timezone(), client.objects(), client.eqLogics()]);
  const run: SetupRun = {
    client,
    dryRun,
    eqType,
    look: { eqType, kinds: opts.kinds },
    specs: opts.statistics === false ? ALL_COMMANDS.filter((s) => !STATISTICS_COMMANDS.includes(s)) : ALL_COMMANDS,
    logicalId,
    objects,
    eqLogics,
    changes: [],
    warnings: [],
    commands: {},
    objectName: (id) => (id === null ? NO_OBJECT_NAMES[0]! : (objects.find((o) => o.id === id)?.name ?? NO_OBJECT_NAMES[0]!)),
  };
  const report = (device: SetupReport['device']): SetupReport => ({
    dryRun,
    usagePoint: pdl === null ? null : maskUsagePoint(pdl),
    timezone,
    device,
    commands: run.commands,
    changes: run.changes,
    warnings: run.warnings,
    changed: run.changes.length > 0,
  });

  let device = await findDevice(run, pdl, opts.equipment);
  if (!device) {
    const address = parseEquipmentAddress(opts.equipment ?? (pdl === null ? UNPAIRED_EQUIPMENT : defaultEquipment(pdl)));
    device = await adoptOrCreateDevice(run, address);
    // A dry run stops at the device it would create: it has no commands to check yet.
    if (!device) return report({ humanName: `[${address.object}][${address.equipment}]`, logicalId, enabled: true });
  }

  const humanName = humanEquipment(run.objectName(device.object_id), device);
  if (!device.isEnable) {
    run.warnings.push(`${humanName} is disabled in Jeedom, which silently drops every value written to it: tick "Activer" on the device`);
  }
  await reconcileCommands(run, device, humanName);
  return report({ id: device.id || undefined, humanName, logicalId, enabled: device.isEnable });
}

/**
 * The device that already carries this PDL's logicalId, or the one set up before pairing, bound to
 * the PDL (same id, its commands and history kept); undefined when there is none yet.
 */
async function findDevice(run: SetupRun, pdl: string | null, equipment: string | undefined): Promise<JeedomEqLogic | undefined> {
  const { client, dryRun, eqType, logicalId, objects, eqLogics, objectName } = run;
  let device = findByLogicalId(eqLogics, logicalId, eqType);
  const unpaired = pdl === null ? undefined : findByLogicalId(eqLogics, UNPAIRED_LOGICAL_ID, eqType);
  if (device && unpaired) {
    run.warnings.push(
      `${humanEquipment(objectName(unpaired.object_id), unpaired)} (id ${unpaired.id}, logicalId ${UNPAIRED_LOGICAL_ID}) is left over from a setup before pairing; jeelinky uses id ${device.id}: delete the extra one in Jeedom if you do not need it`,
    );
  } else if (!device && unpaired) {
    // The device set up before pairing becomes this PDL's: same id, its commands and history kept.
    run.changes.push({
      action: 'bind_device',
      target: humanEquipment(objectName(unpaired.object_id), unpaired),
      details: [`logicalId ${UNPAIRED_LOGICAL_ID} → ${logicalId}`],
    });
    device = dryRun ? { ...unpaired, logicalId } : await client.saveEqLogic({ id: unpaired.id, logicalId });
  }
  if (device && equipment) {
    const wanted = parseEquipmentAddress(equipment);
    const here = matchEquipments(objects, [device], wanted);
    if (here.length === 0) {
      run.warnings.push(
        `the device of this PDL already exists as ${humanEquipment(objectName(device.object_id), device)} (id ${device.id}); jeelinky does not rename or move it, do it in Jeedom if you want`,
      );
    }
  }
  return device;
}

/**
 * The device at `address` when it has no logicalId yet (made by hand: adopted), else a new one with
 * every command. Undefined in a dry run that would create it.
 */
async function adoptOrCreateDevice(run: SetupRun, address: EquipmentAddress): Promise<JeedomEqLogic | undefined> {
  const { client, dryRun, eqType, logicalId } = run;
  const human = `[${address.object}][${address.equipment}]`;
  const matches = matchEquipments(run.objects, run.eqLogics, address);
  if (matches.length > 1) {
    const list = matches.map((m) => `${m.humanName} (id ${m.eqLogic.id})`);
    throw new JeedomAmbiguousError(
      `equipment ${human} matches ${matches.length} devices: ${list.join(', ')}; pass another --equipment`,
      list,
    );
  }
  const existing = matches[0]?.eqLogic;
  if (!existing) return createDevice(run, address);
  if (existing.eqType_name !== eqType) {
    throw new ConfigError(
      `${human} is a "${existing.eqType_name}" device, not a ${deviceWord(eqType)} one: pass another --equipment`,
      'jeedom_conflict',
    );
  }
  if (existing.logicalId && existing.logicalId !== logicalId) {
    throw new ConfigError(
      `${human} is already used by another device (logicalId "${existing.logicalId}"): pass another --equipment`,
      'jeedom_conflict',
    );
  }
  // A virtual made by hand (the forum scenario's EnedisDomoticz, docs/origins.md §2): adopt it. No `cmd` key: nothing is deleted.
  run.changes.push({ action: 'adopt_device', target: matches[0]!.humanName, details: [`logicalId → ${logicalId}`] });
  return dryRun ? { ...existing, logicalId } : await client.saveEqLogic({ id: existing.id, logicalId });
}

/** A new device at `address`, with every command in the one eqLogic::save; undefined in a dry run. */
async function createDevice(run: SetupRun, address: EquipmentAddress): Promise<JeedomEqLogic | undefined> {
  const { client, dryRun, eqType, look, logicalId, specs } = run;
  const human = `[${address.object}][${address.equipment}]`;
  const objectId = await objectIdFor(run, address.object);
  run.changes.push({
    action: 'create_device',
    target: human,
    details: [`${eqType}, logicalId ${logicalId}, ${specs.length} info commands`],
  });
  for (const spec of specs)
    run.changes.push({
      action: 'create_command',
      target: `${human}[${creationName(spec, look)}]`,
      details: [`logicalId ${spec.logicalId}`],
    });
  if (dryRun) return undefined;
  // The only eqLogic::save with a cmd list: at creation, with every command.
  return client.saveEqLogic({
    name: address.equipment,
    logicalId,
    object_id: objectId,
    isEnable: 1,
    isVisible: 1,
    ...(eqType === 'jeelinky' ? { category: { energy: 1 } } : {}),
    cmd: specs.map((s) => creationFields(s, creationName(s, look), look)),
  });
}

/** The Jeedom object a new device goes under, created when missing; null for "Aucun" (no object, or a dry run's new one). */
async function objectIdFor(run: SetupRun, objectName: string): Promise<number | null> {
  if (NO_OBJECT_NAMES.some((n) => looseKey(n) === looseKey(objectName))) return null;
  const { objects } = run;
  const exact = objects.filter((o) => o.name === objectName);
  const loose = exact.length ? exact : objects.filter((o) => looseKey(o.name) === looseKey(objectName));
  if (loose.length > 1) {
    throw new JeedomAmbiguousError(
      `object "${objectName}" matches ${loose.length} objects in Jeedom: give its exact name`,
      loose.map((o) => o.name),
    );
  }
  if (loose[0]) return loose[0].id;
  run.changes.push({ action: 'create_object', target: `[${objectName}]` });
  if (run.dryRun) return null;
  const created = await run.client.saveObject({ name: objectName });
  objects.push(created);
  return created.id;
}

/**
 * Every wanted command of the device: missing ones adopted (made by hand with the forum scenario's name) or
 * created one by one with cmd::save, existing ones fixed where their settings would make history lossy.
 */
async function reconcileCommands(run: SetupRun, device: JeedomEqLogic, humanName: string): Promise<void> {
  const { client, dryRun, changes, warnings, commands } = run;
  const cmds = device.id && !(dryRun && changes.some((c) => c.action === 'create_device')) ? await client.cmdsByEqLogic(device.id) : [];
  const taken = new Set(cmds.map((c) => c.name));
  for (const spec of run.specs) {
    let cmd = cmds.find((c) => c.logicalId === spec.logicalId);
    const dupes = cmds.filter((c) => c.logicalId === spec.logicalId);
    if (dupes.length > 1)
      warnings.push(
        `${dupes.length} commands carry logicalId ${spec.logicalId} (ids ${dupes.map((d) => d.id).join(', ')}): jeelinky uses id ${dupes[0]!.id}`,
      );
    if (!cmd) {
      await addCommand(run, device, humanName, spec, cmds, taken);
      continue;
    }
    commands[spec.logicalId] = cmd.id;
    if (cmd.type !== 'info') {
      warnings.push(
        `command ${humanName}[${cmd.name}] (logicalId ${spec.logicalId}) is an action, not an info: jeelinky leaves it alone and cannot write ${spec.logicalId}`,
      );
      continue;
    }
    const { patch, details } = commandFixes(cmd, spec);
    if (details.length) {
      changes.push({ action: 'update_command', target: `${humanName}[${cmd.name}]`, details });
      if (!dryRun) cmd = await client.saveCmd({ id: cmd.id, ...patch });
    }
  }
}

/** A command the device lacks: a compatible one made by hand is adopted, else it is created under a free name. */
async function addCommand(
  run: SetupRun,
  device: JeedomEqLogic,
  humanName: string,
  spec: CommandSpec,
  cmds: JeedomCmd[],
  taken: Set<string>,
): Promise<void> {
  const { client, dryRun, changes, warnings, commands, look } = run;
  // A command made by hand with the forum scenario's name and no logicalId: adopt it if it is compatible.
  const candidate = cmds.find(
    (c) => !c.logicalId && c.type === 'info' && (looseKey(c.name) === looseKey(spec.name) || looseKey(c.name) === looseKey(spec.logicalId)),
  );
  if (candidate && candidate.subType === spec.subType) {
    const { patch, details } = commandFixes(candidate, spec);
    changes.push({
      action: 'adopt_command',
      target: `${humanName}[${candidate.name}]`,
      details: [`logicalId → ${spec.logicalId}`, ...details],
    });
    if (!dryRun) await client.saveCmd({ id: candidate.id, logicalId: spec.logicalId, ...patch });
    commands[spec.logicalId] = candidate.id;
    return;
  }
  let name = creationName(spec, look);
  if (taken.has(name)) name = taken.has(spec.logicalId) ? `${name} (jeelinky)` : spec.logicalId;
  if (taken.has(name)) {
    warnings.push(
      `cannot add ${spec.logicalId}: the names "${spec.name}", "${spec.logicalId}" and "${name}" are taken on ${humanName}; rename one`,
    );
    return;
  }
  taken.add(name);
  changes.push({ action: 'create_command', target: `${humanName}[${name}]`, details: [`logicalId ${spec.logicalId}`] });
  if (!dryRun) {
    const created = await client.saveCmd({ eqType_name: run.eqType, eqLogic_id: device.id, ...creationFields(spec, name, look) });
    commands[spec.logicalId] = created.id;
  }
}

/** The device of a PDL, for writers; a clear error when setup was never run. */
export async function loadVirtualDevice(client: JeedomClient, usagePoint: string): Promise<VirtualDevice> {
  const pdl = assertUsagePoint(usagePoint);
  const [objects, virtuals] = await Promise.all([client.objects(), client.eqLogicsByType(client.eqType)]);
  const eqLogic = findByLogicalId(virtuals, deviceLogicalId(pdl), client.eqType);
  if (!eqLogic) {
    throw new JeedomNotFoundError(
      `Jeedom at ${client.displayUrl} has no ${deviceWord(client.eqType)} device for PDL ${maskUsagePoint(pdl)}: run "jeelinky jeedom setup" first`,
    );
  }
  return withCommands(client, objects, eqLogic);
}

async function withCommands(client: JeedomClient, objects: { id: number; name: string }[], eqLogic: JeedomEqLogic): Promise<VirtualDevice> {
  const objectName =
    eqLogic.object_id === null ? NO_OBJECT_NAMES[0]! : (objects.find((o) => o.id === eqLogic.object_id)?.name ?? NO_OBJECT_NAMES[0]!);
  const cmds = new Map<string, JeedomCmd>();
  for (const c of await client.cmdsByEqLogic(eqLogic.id))
    if (c.logicalId && c.type === 'info' && !cmds.has(c.logicalId)) cmds.set(c.logicalId, c);
  return { eqLogic, humanName: humanEquipment(objectName, eqLogic), cmds };
}

/**
 * The device of a PDL for the sinks: when the PDL has none but a device was set up before pairing
 * (jeelinky_unpaired), that one is bound to the PDL first (same id: commands and history kept).
 * `dryRun` returns that device without binding it.
 */
export async function bindVirtualDevice(client: JeedomClient, usagePoint: string, dryRun = false): Promise<VirtualDevice> {
  const pdl = assertUsagePoint(usagePoint);
  const [objects, virtuals] = await Promise.all([client.objects(), client.eqLogicsByType(client.eqType)]);
  if (!findByLogicalId(virtuals, deviceLogicalId(pdl), client.eqType)) {
    const unpaired = findByLogicalId(virtuals, UNPAIRED_LOGICAL_ID, client.eqType);
    if (unpaired && dryRun) return withCommands(client, objects, unpaired);
    if (unpaired) await client.saveEqLogic({ id: unpaired.id, logicalId: deviceLogicalId(pdl) });
  }
  return loadVirtualDevice(client, pdl);
}

/** The PDLs that already have a device in Jeedom (logicalId jeelinky_<PDL>). */
export async function boundUsagePoints(client: JeedomClient): Promise<string[]> {
  return (await client.eqLogicsByType(client.eqType))
    .filter((e) => PDL_LOGICAL_ID.test(e.logicalId ?? ''))
    .map((e) => e.logicalId.slice('jeelinky_'.length));
}

/**
 * Where a pairing in progress shows its device code (the forum scenario's order): the device set
 * up before pairing; else the devices of the PDLs already known; else the only jeelinky device.
 * Empty when there is none yet (setup not run): pairing goes on without it.
 */
export async function pairingDevices(client: JeedomClient, knownUsagePoints: string[]): Promise<VirtualDevice[]> {
  const [objects, virtuals] = await Promise.all([client.objects(), client.eqLogicsByType(client.eqType)]);
  const unpaired = findByLogicalId(virtuals, UNPAIRED_LOGICAL_ID, client.eqType);
  let chosen: JeedomEqLogic[] = unpaired ? [unpaired] : [];
  if (!chosen.length) chosen = virtuals.filter((e) => knownUsagePoints.some((pdl) => e.logicalId === deviceLogicalId(pdl)));
  if (!chosen.length) {
    const bound = virtuals.filter((e) => PDL_LOGICAL_ID.test(e.logicalId ?? ''));
    if (bound.length === 1) chosen = bound;
  }
  return Promise.all(chosen.map((e) => withCommands(client, objects, e)));
}

export function specOf(logicalId: string): CommandSpec | undefined {
  return ALL_COMMANDS.find((s) => s.logicalId === logicalId);
}
