/**
 * The Jeedom simulator's database: the core config, objects, eqLogics, commands, the value cache,
 * both history tables and the data store, with the checks Jeedom's `save()` methods and MySQL's
 * constraints make (names not empty, unique names, foreign keys, command types).
 */
import moment from 'moment-timezone';
import { compareVersions, floatval, mergeJson, str, toId } from './php.js';
import { RpcFault, duplicateEntry } from './rpc-fault.js';
import {
  type CacheEntry,
  DT_FORMAT,
  type DatastoreEntry,
  type JeedomSimulatorOptions,
  SIM_DEFAULT_APIKEY,
  type SimCmd,
  type SimEqLogic,
  type SimObject,
} from './types.js';

export class SimDatabase {
  readonly apikey: string;
  readonly clock: { now: () => Date };
  readonly coreVersion: string;
  /** Before 4.4.7, smoothing floors every numeric value to 5 minutes. */
  readonly legacySmoothing: boolean;

  readonly config = new Map<string, string>();
  readonly objects = new Map<number, SimObject>();
  readonly eqLogics = new Map<number, SimEqLogic>();
  readonly cmds = new Map<number, SimCmd>();
  readonly cache = new Map<number, CacheEntry>();
  /** Table `history`: per command, datetime → value. */
  readonly hist = new Map<number, Map<string, string>>();
  /** Table `historyArch`: per command, datetime → value. */
  readonly arch = new Map<number, Map<string, string>>();
  readonly triggers = new Map<number, number>();
  readonly datastore = new Map<string, DatastoreEntry>();
  private nextObjectId = 1;
  private nextEqLogicId = 1;
  private nextCmdId = 1;
  private nextDatastoreId = 1;

  constructor(opts: JeedomSimulatorOptions) {
    this.apikey = opts.apikey ?? SIM_DEFAULT_APIKEY;
    this.clock = opts.clock ?? { now: () => new Date() };
    this.coreVersion = opts.coreVersion ?? '4.5.3';
    this.legacySmoothing = compareVersions(this.coreVersion, '4.4.7') < 0;
    const config = this.config;
    config.set('core::timezone', opts.timezone ?? 'Europe/Paris');
    config.set('core::api', this.apikey);
    config.set('core::historyArchiveTime', '2');
    config.set('core::historyArchivePackage', '1');
    config.set('core::history::smooth', '-2');
    for (const [k, v] of Object.entries(opts.config ?? {})) config.set(`core::${k}`, v);
  }

  tz(): string {
    return this.config.get('core::timezone') || 'Europe/Brussels';
  }
  nowLocal(): string {
    return moment.tz(this.clock.now(), this.tz()).format(DT_FORMAT);
  }
  unixOf(dt: string): number {
    return moment.tz(dt, DT_FORMAT, this.tz()).unix();
  }
  fromUnix(s: number): string {
    return moment.tz(s * 1000, this.tz()).format(DT_FORMAT);
  }

  // ---------------------------------------------------------------- records
  createObject(fields: Record<string, unknown>): SimObject {
    const name = str(fields.name).trim();
    if (!name) throw new RpcFault(-32000, "Le nom de l'objet ne peut pas être vide");
    const o: SimObject = {
      id: this.nextObjectId++,
      name,
      father_id: toId(fields.father_id) ?? null,
      isVisible: str(fields.isVisible, '1'),
      position: null,
      configuration: mergeJson({}, fields.configuration),
      display: mergeJson({}, fields.display),
      image: '',
    };
    this.objects.set(o.id, o);
    return o;
  }

  private checkEqLogicUnique(e: { id: number; name: string; object_id: number | null }): void {
    // MySQL's unique (name, object_id) does not bite when object_id is NULL: duplicates happen.
    if (e.object_id === null) return;
    for (const other of this.eqLogics.values()) {
      if (other.id !== e.id && other.object_id === e.object_id && other.name === e.name) {
        throw duplicateEntry(`${e.name}-${e.object_id}`);
      }
    }
  }

  newEqLogic(eqType: string): SimEqLogic {
    return {
      id: this.nextEqLogicId++,
      name: '',
      logicalId: '',
      generic_type: null,
      object_id: null,
      eqType_name: eqType,
      eqReal_id: null,
      isVisible: '0',
      isEnable: '0',
      configuration: {},
      timeout: null,
      category: {},
      display: {},
      order: 9999,
      comment: null,
      tags: null,
      status: {},
    };
  }

  saveEqLogicRecord(e: SimEqLogic, isNew: boolean): void {
    if (!e.name.trim()) throw new RpcFault(-32000, "Le nom de l'équipement ne peut pas être vide");
    if (e.object_id !== null && !this.objects.has(e.object_id)) {
      throw new RpcFault(
        -32000,
        `[MySQL] Error code : 23000 (1452). Cannot add or update a child row: a foreign key constraint fails (object_id ${e.object_id})`,
      );
    }
    this.checkEqLogicUnique(e);
    this.eqLogics.set(e.id, e);
    if (isNew || e.eqType_name === 'virtual') this.ensureRefreshCmd(e);
  }

  /** The virtual plugin's postSave creates its "Rafraichir" action command. */
  private ensureRefreshCmd(e: SimEqLogic): void {
    if (e.eqType_name !== 'virtual') return;
    for (const c of this.cmds.values()) if (c.eqLogic_id === e.id && c.logicalId === 'refresh') return;
    const c = this.newCmd(e);
    c.name = 'Rafraichir';
    c.logicalId = 'refresh';
    c.type = 'action';
    c.subType = 'other';
    this.saveCmdRecord(c);
  }

  newCmd(e: SimEqLogic): SimCmd {
    return {
      id: this.nextCmdId++,
      eqLogic_id: e.id,
      eqType: e.eqType_name,
      logicalId: '',
      generic_type: null,
      order: 0,
      name: '',
      configuration: {},
      template: {},
      isHistorized: '0',
      type: '',
      subType: '',
      unite: '',
      display: {},
      isVisible: '1',
      value: null,
      alert: {},
    };
  }

  saveCmdRecord(c: SimCmd): void {
    if (!c.name.trim()) throw new RpcFault(-32000, 'Le nom de la commande ne peut pas être vide');
    if (!['info', 'action'].includes(c.type)) throw new RpcFault(-32000, `Le type de la commande ne peut pas être vide : ${c.type}`);
    const subTypes = c.type === 'info' ? ['numeric', 'binary', 'string'] : ['other', 'slider', 'message', 'color', 'select'];
    if (!subTypes.includes(c.subType)) throw new RpcFault(-32000, `Le sous-type de la commande ne peut pas être vide : ${c.subType}`);
    for (const other of this.cmds.values()) {
      if (other.id !== c.id && other.eqLogic_id === c.eqLogic_id && other.name === c.name) {
        throw duplicateEntry(`${c.eqLogic_id}-${c.name}`);
      }
    }
    this.cmds.set(c.id, c);
  }

  removeCmd(id: number): void {
    this.cmds.delete(id);
    this.cache.delete(id);
    // cmd::remove() calls emptyHistory(): the history of both tables is gone.
    this.hist.delete(id);
    this.arch.delete(id);
  }

  /** `dataStore::save`: one row per (type, link_id, key), its value replaced. */
  saveDatastore(type: string, linkId: unknown, key: string, value: string): void {
    const k = `${type}|${str(linkId)}|${key}`;
    const d = this.datastore.get(k) ?? { id: this.nextDatastoreId++, type, link_id: Math.trunc(floatval(linkId)), key, value: '' };
    d.value = value;
    this.datastore.set(k, d);
  }

  // ---------------------------------------------------------------- lookups
  cmdsOf(eqLogicId: number): SimCmd[] {
    return [...this.cmds.values()].filter((c) => c.eqLogic_id === eqLogicId).sort((a, b) => a.order - b.order || a.id - b.id);
  }

  /** The current value of an info command, '' when it never had one. */
  cacheValue(c: SimCmd): string | number {
    const e = this.cache.get(c.id);
    return e ? e.value : '';
  }

  needCmd(id: unknown, code: number): SimCmd {
    const c = this.cmds.get(toId(id) ?? -1);
    if (!c) throw new RpcFault(code, `Commande introuvable : ${str(id)}`);
    return c;
  }

  needEqLogic(id: unknown): SimEqLogic {
    const e = this.eqLogics.get(toId(id) ?? -1);
    if (!e) throw new RpcFault(602, `EqLogic introuvable : ${str(id)}`);
    return e;
  }

  needObject(id: unknown): SimObject {
    const o = this.objects.get(toId(id) ?? -1);
    if (!o) throw new RpcFault(601, `Objet introuvable : ${str(id)}`);
    return o;
  }
}

/** utils::a2o on an eqLogic: the fields sent replace, JSON attributes merge. */
export function applyEqLogicFields(e: SimEqLogic, p: Record<string, unknown>): void {
  if ('name' in p) e.name = str(p.name);
  if ('logicalId' in p) e.logicalId = str(p.logicalId);
  if ('generic_type' in p) e.generic_type = p.generic_type === null ? null : str(p.generic_type);
  if ('object_id' in p) e.object_id = toId(p.object_id) ?? null;
  if ('isVisible' in p) e.isVisible = str(p.isVisible, '0');
  if ('isEnable' in p) e.isEnable = str(p.isEnable, '0');
  if ('configuration' in p) e.configuration = mergeJson(e.configuration, p.configuration);
  if ('display' in p) e.display = mergeJson(e.display, p.display);
  if ('category' in p) e.category = mergeJson(e.category, p.category);
  if ('comment' in p) e.comment = p.comment === null ? null : str(p.comment);
  if ('timeout' in p) e.timeout = p.timeout === null ? null : str(p.timeout);
}

/** utils::a2o on a command: the fields sent replace, JSON attributes merge. */
export function applyCmdFields(c: SimCmd, p: Record<string, unknown>): void {
  if ('name' in p) c.name = str(p.name);
  if ('logicalId' in p) c.logicalId = str(p.logicalId);
  if ('generic_type' in p) c.generic_type = p.generic_type === null ? null : str(p.generic_type);
  if ('type' in p) c.type = str(p.type);
  if ('subType' in p) c.subType = str(p.subType);
  if ('unite' in p) c.unite = str(p.unite);
  if ('isHistorized' in p) c.isHistorized = floatval(p.isHistorized) ? '1' : '0';
  if ('isVisible' in p) c.isVisible = floatval(p.isVisible) ? '1' : '0';
  if ('order' in p) c.order = Math.trunc(floatval(p.order));
  if ('value' in p) c.value = p.value === null ? null : str(p.value);
  if ('configuration' in p) c.configuration = mergeJson(c.configuration, p.configuration);
  if ('display' in p) c.display = mergeJson(c.display, p.display);
  if ('template' in p) c.template = mergeJson(c.template, p.template);
  if ('alert' in p) c.alert = mergeJson(c.alert, p.alert);
}
