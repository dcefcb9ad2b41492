/**
 * The typed Jeedom client: one method per JSON-RPC call jeelinky makes, on top of the transport
 * (./rpc.ts: HTTP, API key, retries, HTTP failures) and the decoding of the answers (./wire.ts:
 * "ok", string numbers, rows, JSON-RPC error codes).
 */
import { ConfigError } from '../errors.js';
import { settingDefault, settingVariable } from '../settings.js';
import { JeedomMethodError } from './errors.js';
import { JeedomRpc, type JeedomRpcOptions } from './rpc.js';
import {
  asArray,
  checkJeedomDatetime,
  type JeedomBatchPoint,
  type JeedomBatchResult,
  type JeedomBatchSupport,
  type JeedomCmd,
  type JeedomCurrentValue,
  type JeedomEqLogic,
  type JeedomHistoryRow,
  type JeedomObject,
  type JeedomStatistique,
  toBatchResult,
  toBatchSupport,
  toCmd,
  toConfigValue,
  toCurrentValues,
  toEqLogic,
  toHistoryRow,
  toObject,
  toStatistique,
  toTimezone,
} from './wire.js';

export interface JeedomClientOptions extends JeedomRpcOptions {
  /**
   * `JEELINKY_JEEDOM_EQTYPE`: the Jeedom plugin that owns jeelinky's device: `virtual` (default,
   * the CLI path: `jeelinky jeedom setup` creates a Virtuel) or `jeelinky` (the jeelinky Jeedom
   * plugin is installed: its own équipement, and `apikey` is the plugin's key, so every call
   * carries `params.plugin = "jeelinky"`, which Jeedom needs to accept that key).
   */
  eqType?: JeedomEqType;
}

export const JEEDOM_EQTYPES = ['virtual', 'jeelinky'] as const;
export type JeedomEqType = (typeof JEEDOM_EQTYPES)[number];

/** The eqType from the option, else from JEELINKY_JEEDOM_EQTYPE, else `virtual`; a clear error when unknown. */
export function resolveEqType(value: string | undefined = settingVariable('jeedomEqType')): JeedomEqType {
  const v = (value ?? '').trim() || settingDefault('jeedomEqType');
  if (!(JEEDOM_EQTYPES as readonly string[]).includes(v)) {
    throw new ConfigError(
      `JEELINKY_JEEDOM_EQTYPE "${v}" is not known: use "virtual" (a Virtuel device) or "jeelinky" (the jeelinky Jeedom plugin)`,
      'jeedom_eqtype',
    );
  }
  return v as JeedomEqType;
}

/** The plugin id whose JSON-RPC methods (core/api/jeelinky.api.php) are reached with params.plugin. */
export const JEEDOM_PLUGIN_ID = 'jeelinky';

export class JeedomClient extends JeedomRpc {
  /** The plugin that owns jeelinky's device (see JeedomClientOptions.eqType). */
  readonly eqType: JeedomEqType;
  private tzPromise?: Promise<string>;
  private batchPromise?: Promise<JeedomBatchSupport | undefined>;

  constructor(opts: JeedomClientOptions) {
    super(opts);
    this.eqType = resolveEqType(opts.eqType);
    if (this.eqType === 'jeelinky') this.pluginScope = JEEDOM_PLUGIN_ID;
  }

  async ping(): Promise<boolean> {
    return (await this.call('ping')) === 'pong';
  }

  async version(): Promise<string> {
    return String(await this.call('version'));
  }

  /** A core config value; `undefined` when unset (Jeedom answers "ok"). */
  async configByKey(key: string, plugin = 'core'): Promise<string | undefined> {
    return toConfigValue(await this.call('config::byKey', { key, plugin }));
  }

  /** The box's own timezone (never assumed: docs/jeedom-api.md §4), cached for the client's life. */
  timezone(): Promise<string> {
    this.tzPromise ??= this.configByKey('timezone').then((tz) => toTimezone(tz, this.displayUrl));
    this.tzPromise.catch(() => {
      this.tzPromise = undefined;
    });
    return this.tzPromise;
  }

  async objects(): Promise<JeedomObject[]> {
    return asArray(await this.call('jeeObject::all')).map(toObject);
  }

  async saveObject(fields: { id?: number; name: string }): Promise<JeedomObject> {
    return toObject(await this.call('jeeObject::save', fields));
  }

  async eqLogics(): Promise<JeedomEqLogic[]> {
    return asArray(await this.call('eqLogic::all')).map(toEqLogic);
  }

  async eqLogicsByType(type: string): Promise<JeedomEqLogic[]> {
    return asArray(await this.call('eqLogic::byType', { type })).map(toEqLogic);
  }

  async eqLogicById(id: number): Promise<JeedomEqLogic> {
    return toEqLogic(await this.call('eqLogic::byId', { id }));
  }

  /**
   * `eqLogic::save`. Dangerous by design (docs/jeedom-api.md §2): without `id` it creates a new device even
   * when one exists; with `cmd` it deletes every command missing from the list, history included.
   * Callers in jeelinky only send `cmd` when creating a device.
   */
  async saveEqLogic(fields: Record<string, unknown>): Promise<JeedomEqLogic> {
    return toEqLogic(await this.call('eqLogic::save', { eqType_name: this.eqType, ...fields }));
  }

  async cmdsByEqLogic(eqLogicId: number): Promise<JeedomCmd[]> {
    return asArray(await this.call('cmd::byEqLogicId', { eqLogic_id: eqLogicId })).map(toCmd);
  }

  async cmdById(id: number): Promise<JeedomCmd> {
    return toCmd(await this.call('cmd::byId', { id }));
  }

  /** `cmd::save`: with `id` updates (configuration keys merge, null removes); without, creates. */
  async saveCmd(fields: Record<string, unknown>): Promise<JeedomCmd> {
    return toCmd(await this.call('cmd::save', fields));
  }

  /** Current values (cache) of info commands, by id. */
  async currentValues(ids: number[]): Promise<Map<number, JeedomCurrentValue>> {
    if (ids.length === 0) return new Map();
    return toCurrentValues(await this.call('cmd::execCmd', { id: ids }));
  }

  /** `cmd::event`, with `datetime` in the box's timezone (see checkJeedomDatetime). */
  async event(id: number, value: string | number, datetime?: string): Promise<void> {
    if (datetime !== undefined) checkJeedomDatetime(datetime);
    await this.call('cmd::event', datetime === undefined ? { id, value } : { id, value, datetime });
  }

  /**
   * Whether the box has the Jeedom plugin jeelinky and its batch history method, asked once per
   * client with `jeelinky::version` (params.plugin = "jeelinky"). Without the plugin Jeedom answers
   * "Aucune méthode correspondante" (code 500): undefined, the writer falls back to cmd::event.
   */
  batchSupport(): Promise<JeedomBatchSupport | undefined> {
    this.batchPromise ??= this.call('jeelinky::version', { plugin: JEEDOM_PLUGIN_ID }).then(toBatchSupport, (err: unknown) => {
      if (err instanceof JeedomMethodError) return undefined;
      throw err;
    });
    this.batchPromise.catch(() => {
      this.batchPromise = undefined;
    });
    return this.batchPromise;
  }

  /**
   * `jeelinky::writeHistory`: the history rows one cmd::event per point would write, in one request
   * (REPLACE on (cmd, datetime): safe to repeat). `current` sets those commands' current values
   * afterwards without a history row. Answers how many rows were written.
   */
  async writeHistory(points: JeedomBatchPoint[], current: JeedomBatchPoint[] = []): Promise<JeedomBatchResult> {
    for (const p of [...points, ...current]) checkJeedomDatetime(p.datetime);
    return toBatchResult(
      await this.call('jeelinky::writeHistory', { plugin: JEEDOM_PLUGIN_ID, points, ...(current.length ? { current } : {}) }),
    );
  }

  async history(id: number, startTime?: string, endTime?: string): Promise<JeedomHistoryRow[]> {
    const params: Record<string, unknown> = { id };
    if (startTime !== undefined) params.startTime = startTime;
    if (endTime !== undefined) params.endTime = endTime;
    return asArray(await this.call('cmd::getHistory', params)).map(toHistoryRow);
  }

  async statistique(id: number, startTime: string, endTime: string): Promise<JeedomStatistique> {
    return toStatistique(await this.call('cmd::getStatistique', { id, startTime, endTime }));
  }
}
