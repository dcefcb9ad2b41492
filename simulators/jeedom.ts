/**
 * A Jeedom 4.x JSON-RPC simulator: a real node:http server on 127.0.0.1 that reproduces the
 * semantics documented in reference/jeedom-api.md (checked against Jeedom 4.5.3), so that tests,
 * the benchmark and `jeelinky demo` meet the mistakes a real box would punish:
 * - envelope, HTTP 200 always, the `"ok"` answer for PHP-empty results, wire error codes;
 * - objects, virtual eqLogics and their commands, `eqLogic::save` deleting omitted commands (and
 *   their history) and duplicating a device saved without id, `cmd::save` merging configuration;
 * - `cmd::event`: dropped on a disabled device, numeric formatting and clamping, the cache updated
 *   before the datetime reaches SQL (an ISO string with offset fails *after* changing the current
 *   value, an epoch is stored as garbage), triggers fired for every non-repeat event;
 * - history keyed by (cmd, datetime) with REPLACE, write-time smoothing (4.4.7+ rules, or the
 *   pre-4.4.7 5-minute flooring with `coreVersion: '4.4.6'`), and the 05:00 archive that moves rows
 *   older than 2 h to historyArch, averaging hourly unless `historizeMode` is `none`;
 * - `cmd::getHistory` (history UNION ALL historyArch) and `cmd::getStatistique` (2-decimal cast).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import moment from 'moment-timezone';

export const JEEDOM_API_PATH = '/core/api/jeeApi.php';
export const SIM_DEFAULT_APIKEY = 'SimJeedomCoreApiKey0123456789abcdefXYZ';
const DT_FORMAT = 'YYYY-MM-DD HH:mm:ss';

export type FaultKind = 'reset' | 'timeout' | 'html' | 'http500';
export interface Fault {
  kind: FaultKind;
  /** How many requests fail this way; unlimited when absent. */
  count?: number;
  /** Only requests for this JSON-RPC method fail (all requests when absent). */
  method?: string;
}

export interface JeedomSimulatorOptions {
  /** The core API key (`api` of plugin `core`). */
  apikey?: string;
  /** The box's configured timezone (`config::byKey timezone`). Default Europe/Paris. */
  timezone?: string;
  /** The box's clock; drives collect dates and the 05:00 archive. */
  clock?: { now: () => Date };
  /** Delay before every answer, ms. */
  latencyMs?: number;
  /** `4.5.3` (default) or an older 4.x such as `4.4.6`, whose smoothing floors to 5 minutes. */
  coreVersion?: string;
  /** Run the archive when the clock passes 05:00 local, as Jeedom's cron does (default true). */
  autoArchive?: boolean;
  /** Extra core config keys (`historyArchiveTime`, `historyArchivePackage`, `history::smooth`, ...). */
  config?: Record<string, string>;
}

export interface SimObject {
  id: number;
  name: string;
  father_id: number | null;
  isVisible: string;
  position: number | null;
  configuration: Record<string, unknown>;
  display: Record<string, unknown>;
  image: string;
}

export interface SimEqLogic {
  id: number;
  name: string;
  logicalId: string;
  generic_type: string | null;
  object_id: number | null;
  eqType_name: string;
  eqReal_id: number | null;
  isVisible: string;
  isEnable: string;
  configuration: Record<string, unknown>;
  timeout: string | null;
  category: Record<string, unknown>;
  display: Record<string, unknown>;
  order: number;
  comment: string | null;
  tags: string | null;
  status: Record<string, unknown>;
}

export interface SimCmd {
  id: number;
  eqLogic_id: number;
  eqType: string;
  logicalId: string;
  generic_type: string | null;
  order: number;
  name: string;
  configuration: Record<string, unknown>;
  template: Record<string, unknown>;
  isHistorized: string;
  type: string;
  subType: string;
  unite: string;
  display: Record<string, unknown>;
  isVisible: string;
  value: string | null;
  alert: Record<string, unknown>;
}

export interface HistoryRow {
  cmd_id: number;
  datetime: string;
  value: string;
  /** Which table holds the row (inspection only; not sent on the wire). */
  table: 'history' | 'historyArch';
}

interface CacheEntry {
  value: string | number;
  collectDate: string;
  valueDate: string;
}

/** A JSON-RPC failure as Jeedom puts it on the wire (`-32000 - exceptionCode`). */
class RpcFault extends Error {
  constructor(
    readonly wireCode: number,
    message: string,
  ) {
    super(message);
  }
}

const NOT_AUTHORIZED = "Vous n'êtes pas autorisé à effectuer cette action";
const BAD_VERSION = 'Requête invalide. Version JSON-RPC invalide : ';

/** PHP `empty()`: what makes Jeedom answer the string "ok" instead of the result. */
function phpEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === false || v === 0 || v === '' || v === '0' || (Array.isArray(v) && v.length === 0);
}

/** PHP serialises an empty associative array as `[]`. */
function phpAssoc(o: Record<string, unknown>): Record<string, unknown> | unknown[] {
  return Object.keys(o).length === 0 ? [] : { ...o };
}

/** PHP floatval: the longest numeric prefix, else 0. */
function floatval(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === null || v === undefined) return 0;
  const m = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(String(v));
  return m ? Number(m[0]) : 0;
}

/** How PHP prints a float into a varchar: no trailing `.0`, up to 17 significant digits. */
function phpNumberString(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

/** Half-up (away from zero) rounding to `d` decimals, as MySQL's CAST AS DECIMAL does. */
function roundHalfUp(n: number, d: number): number {
  const f = 10 ** d;
  const r = Math.round(Math.abs(n) * f + 1e-7) / f;
  return n < 0 ? -r : r;
}

function cents(value: string): number {
  const n = floatval(value);
  const c = Math.round(Math.abs(n) * 100 + 1e-7);
  return n < 0 ? -c : c;
}

/**
 * What MariaDB (strict mode) accepts in a DATETIME column, normalised; `undefined` means the
 * insert fails with error 1292. A 10-digit number is read as YYMMDDhhmm, hence an epoch
 * `1700000000` becomes `2017-00-00 00:00:00` (reference §3.8).
 */
export function mysqlDatetime(input: string): string | undefined {
  const s = input.trim();
  if (/^\d{10}$/.test(s)) {
    const yy = Number(s.slice(0, 2));
    const year = yy < 70 ? 2000 + yy : 1900 + yy;
    return `${year}-${s.slice(2, 4)}-${s.slice(4, 6)} ${s.slice(6, 8)}:${s.slice(8, 10)}:00`;
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', se = '00'] = m;
  const day = moment.utc(`${y}-${mo}-${d}`, 'YYYY-MM-DD', true);
  if (!day.isValid() || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59) return undefined;
  return `${y}-${mo}-${d} ${h}:${mi}:${se}`;
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown, dflt = ''): string {
  return v === null || v === undefined ? dflt : String(v);
}

function toId(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** utils::a2o on a JSON attribute: keys merge, a key sent as null is removed. */
function mergeJson(target: Record<string, unknown>, patch: unknown): Record<string, unknown> {
  const out = { ...target };
  for (const [k, v] of Object.entries(asRecord(patch))) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

function duplicateEntry(what: string): RpcFault {
  return new RpcFault(-32000, `[MySQL] Error code : 23000 (1062). Duplicate entry '${what}' for key 'unique'`);
}

export interface JeedomSimulator {
  /** Base URL as a user knows it, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Full endpoint URL. */
  endpoint: string;
  apikey: string;
  timezone: string;
  close(): Promise<void>;

  // Preloading.
  addObject(o: { name: string; father_id?: number | null }): SimObject;
  addEqLogic(e: Partial<SimEqLogic> & { name: string }): SimEqLogic;
  addCmd(c: Partial<SimCmd> & { eqLogic_id: number; name: string }): SimCmd;
  /** Rows straight into history (or historyArch), bypassing event(): like an old import. */
  addHistory(cmdId: number, rows: { datetime: string; value: number | string }[], table?: 'history' | 'historyArch'): void;
  setConfig(key: string, value: string | null, plugin?: string): void;

  // Inspection.
  objects(): SimObject[];
  eqLogics(): SimEqLogic[];
  cmds(eqLogicId?: number): SimCmd[];
  cmd(id: number): SimCmd | undefined;
  cmdByLogicalId(eqLogicId: number, logicalId: string): SimCmd | undefined;
  /** Every row of both tables for a command, ascending by datetime (duplicates kept). */
  history(cmdId: number): HistoryRow[];
  currentValue(cmdId: number): { value: string | number; collectDate: string; valueDate: string } | undefined;
  /** How many times the command's triggers (scenarios, listeners) fired. */
  triggerCount(cmdId: number): number;
  requestCount(): number;
  methodCounts(): Record<string, number>;
  resetCounts(): void;

  // Control.
  setFault(fault: Fault | null): void;
  setLatency(ms: number): void;
  /** Runs `history::archive()` now, as the 05:00 cron would. */
  runArchive(): void;
  /** Enables or disables a device (as the user would in the UI). */
  setEnabled(eqLogicId: number, enabled: boolean): void;
}

export async function startJeedomSimulator(opts: JeedomSimulatorOptions = {}): Promise<JeedomSimulator> {
  const apikey = opts.apikey ?? SIM_DEFAULT_APIKEY;
  const clock = opts.clock ?? { now: () => new Date() };
  const coreVersion = opts.coreVersion ?? '4.5.3';
  const legacySmoothing = compareVersions(coreVersion, '4.4.7') < 0;
  let latencyMs = opts.latencyMs ?? 0;
  let fault: Fault | null = null;

  const config = new Map<string, string>();
  config.set('core::timezone', opts.timezone ?? 'Europe/Paris');
  config.set('core::api', apikey);
  config.set('core::historyArchiveTime', '2');
  config.set('core::historyArchivePackage', '1');
  config.set('core::history::smooth', '-2');
  for (const [k, v] of Object.entries(opts.config ?? {})) config.set(`core::${k}`, v);
  const tz = (): string => config.get('core::timezone') || 'Europe/Brussels';

  const objects = new Map<number, SimObject>();
  const eqLogics = new Map<number, SimEqLogic>();
  const cmds = new Map<number, SimCmd>();
  const cache = new Map<number, CacheEntry>();
  const hist = new Map<number, Map<string, string>>();
  const arch = new Map<number, Map<string, string>>();
  const triggers = new Map<number, number>();
  const datastore = new Map<string, { id: number; type: string; link_id: number; key: string; value: string }>();
  let nextObjectId = 1;
  let nextEqLogicId = 1;
  let nextCmdId = 1;
  let nextDatastoreId = 1;
  let requests = 0;
  let counts: Record<string, number> = {};

  const nowLocal = (): string => moment.tz(clock.now(), tz()).format(DT_FORMAT);
  const unixOf = (dt: string): number => moment.tz(dt, DT_FORMAT, tz()).unix();
  const fromUnix = (s: number): string => moment.tz(s * 1000, tz()).format(DT_FORMAT);

  // ---------------------------------------------------------------- records
  function createObject(fields: Record<string, unknown>): SimObject {
    const name = str(fields.name).trim();
    if (!name) throw new RpcFault(-32000, "Le nom de l'objet ne peut pas être vide");
    const o: SimObject = {
      id: nextObjectId++,
      name,
      father_id: toId(fields.father_id) ?? null,
      isVisible: str(fields.isVisible, '1'),
      position: null,
      configuration: mergeJson({}, fields.configuration),
      display: mergeJson({}, fields.display),
      image: '',
    };
    objects.set(o.id, o);
    return o;
  }

  function checkEqLogicUnique(e: { id: number; name: string; object_id: number | null }): void {
    // MySQL's unique (name, object_id) does not bite when object_id is NULL: duplicates happen.
    if (e.object_id === null) return;
    for (const other of eqLogics.values()) {
      if (other.id !== e.id && other.object_id === e.object_id && other.name === e.name) {
        throw duplicateEntry(`${e.name}-${e.object_id}`);
      }
    }
  }

  function applyEqLogicFields(e: SimEqLogic, p: Record<string, unknown>): void {
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

  function newEqLogic(eqType: string): SimEqLogic {
    return {
      id: nextEqLogicId++,
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

  function saveEqLogicRecord(e: SimEqLogic, isNew: boolean): void {
    if (!e.name.trim()) throw new RpcFault(-32000, "Le nom de l'équipement ne peut pas être vide");
    if (e.object_id !== null && !objects.has(e.object_id)) {
      throw new RpcFault(
        -32000,
        `[MySQL] Error code : 23000 (1452). Cannot add or update a child row: a foreign key constraint fails (object_id ${e.object_id})`,
      );
    }
    checkEqLogicUnique(e);
    eqLogics.set(e.id, e);
    if (isNew || e.eqType_name === 'virtual') ensureRefreshCmd(e);
  }

  /** The virtual plugin's postSave creates its "Rafraichir" action command. */
  function ensureRefreshCmd(e: SimEqLogic): void {
    if (e.eqType_name !== 'virtual') return;
    for (const c of cmds.values()) if (c.eqLogic_id === e.id && c.logicalId === 'refresh') return;
    const c = newCmd(e);
    c.name = 'Rafraichir';
    c.logicalId = 'refresh';
    c.type = 'action';
    c.subType = 'other';
    saveCmdRecord(c);
  }

  function newCmd(e: SimEqLogic): SimCmd {
    return {
      id: nextCmdId++,
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

  function applyCmdFields(c: SimCmd, p: Record<string, unknown>): void {
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

  function saveCmdRecord(c: SimCmd): void {
    if (!c.name.trim()) throw new RpcFault(-32000, 'Le nom de la commande ne peut pas être vide');
    if (!['info', 'action'].includes(c.type)) throw new RpcFault(-32000, `Le type de la commande ne peut pas être vide : ${c.type}`);
    const subTypes = c.type === 'info' ? ['numeric', 'binary', 'string'] : ['other', 'slider', 'message', 'color', 'select'];
    if (!subTypes.includes(c.subType)) throw new RpcFault(-32000, `Le sous-type de la commande ne peut pas être vide : ${c.subType}`);
    for (const other of cmds.values()) {
      if (other.id !== c.id && other.eqLogic_id === c.eqLogic_id && other.name === c.name) {
        throw duplicateEntry(`${c.eqLogic_id}-${c.name}`);
      }
    }
    cmds.set(c.id, c);
  }

  function removeCmd(id: number): void {
    cmds.delete(id);
    cache.delete(id);
    // cmd::remove() calls emptyHistory(): the history of both tables is gone.
    hist.delete(id);
    arch.delete(id);
  }

  // ---------------------------------------------------------------- api shapes
  const objectApi = (o: SimObject, stringIds: boolean) => ({
    id: stringIds ? String(o.id) : o.id,
    name: o.name,
    father_id: o.father_id,
    isVisible: o.isVisible,
    position: o.position,
    configuration: phpAssoc(o.configuration),
    display: phpAssoc(o.display),
    image: o.image,
    img: '',
  });

  const eqLogicApi = (e: SimEqLogic, stringIds: boolean) => ({
    id: stringIds ? String(e.id) : e.id,
    name: e.name,
    logicalId: e.logicalId,
    generic_type: e.generic_type,
    object_id: e.object_id,
    eqType_name: e.eqType_name,
    eqReal_id: e.eqReal_id,
    isVisible: e.isVisible,
    isEnable: e.isEnable,
    configuration: phpAssoc(e.configuration),
    timeout: e.timeout,
    category: phpAssoc(e.category),
    display: phpAssoc(e.display),
    order: e.order,
    comment: e.comment,
    tags: e.tags,
    status: phpAssoc(e.status),
  });

  const cmdApi = (c: SimCmd, stringIds: boolean) => ({
    id: stringIds ? String(c.id) : c.id,
    logicalId: c.logicalId,
    generic_type: c.generic_type,
    eqType: c.eqType,
    name: c.name,
    order: c.order,
    type: c.type,
    subType: c.subType,
    eqLogic_id: c.eqLogic_id,
    isHistorized: c.isHistorized,
    unite: c.unite,
    configuration: phpAssoc(c.configuration),
    template: phpAssoc(c.template),
    display: phpAssoc(c.display),
    value: c.value,
    isVisible: c.isVisible,
    alert: phpAssoc(c.alert),
  });

  /** cmd::exportApi(): the fields plus currentValue from the cache. */
  const cmdExport = (c: SimCmd) => ({ ...cmdApi(c, false), currentValue: c.type === 'info' ? cacheValue(c) : null });

  function cacheValue(c: SimCmd): string | number {
    const e = cache.get(c.id);
    return e ? e.value : '';
  }

  // ---------------------------------------------------------------- event & history
  function formatValue(c: SimCmd, raw: unknown): string | number {
    if (c.subType === 'numeric') {
      let v = floatval(typeof raw === 'string' ? raw.replace(',', '.') : raw);
      const round = c.configuration.historizeRound;
      if (round !== undefined && round !== '' && round !== null) v = roundHalfUp(v, Math.trunc(floatval(round)));
      const min = c.configuration.minValue;
      const max = c.configuration.maxValue;
      if (min !== undefined && min !== '' && min !== null && v < floatval(min)) v = floatval(min);
      if (max !== undefined && max !== '' && max !== null && v > floatval(max)) v = floatval(max);
      return v;
    }
    if (c.subType === 'binary') {
      const s = str(raw).toLowerCase();
      return s === '' || s === '0' || s === 'false' || s === 'off' ? 0 : 1;
    }
    return str(raw);
  }

  function smoothingStep(c: SimCmd): { step: number; mode: string } | undefined {
    if (c.subType !== 'numeric') return undefined;
    const modeSet = c.configuration.historizeMode;
    if (legacySmoothing) {
      const mode = str(modeSet, 'avg') || 'avg';
      return mode === 'none' ? undefined : { step: 300, mode };
    }
    const own = c.configuration['history::smooth'];
    const smooth = floatval(own !== undefined && own !== '' ? own : config.get('core::history::smooth'));
    if (!(smooth > 0) || !modeSet || modeSet === 'none') return undefined;
    return { step: smooth, mode: str(modeSet) };
  }

  function addHistoryValue(c: SimCmd, value: string | number, datetime: string): void {
    let dt = mysqlDatetime(datetime);
    if (dt === undefined) {
      throw new RpcFault(
        -32000,
        `[MySQL] Error code : 22007 (1292). Incorrect datetime value: '${datetime}' for column \`jeedom\`.\`history\`.\`datetime\``,
      );
    }
    let stored = typeof value === 'number' ? value : value;
    const round = c.configuration.historizeRound;
    if (typeof stored === 'number' && round !== undefined && round !== '' && round !== null) {
      stored = roundHalfUp(stored, Math.trunc(floatval(round)));
    }
    const table = hist.get(c.id) ?? new Map<string, string>();
    hist.set(c.id, table);
    const smoothing = smoothingStep(c);
    if (smoothing && typeof stored === 'number') {
      const bucket = Math.floor(unixOf(dt) / smoothing.step) * smoothing.step;
      dt = fromUnix(stored === 0 ? bucket + smoothing.step : bucket);
      const old = table.get(dt);
      if (old !== undefined) {
        const o = floatval(old);
        if (smoothing.mode === 'min') stored = Math.min(o, stored);
        else if (smoothing.mode === 'max') stored = Math.max(o, stored);
        else stored = (o + stored) / 2;
        if (!legacySmoothing) stored = roundHalfUp(stored, round !== undefined && round !== '' ? Math.trunc(floatval(round)) : 2);
      }
    }
    // REPLACE INTO history: one row per (cmd, datetime) in this table.
    table.set(dt, typeof stored === 'number' ? phpNumberString(stored) : stored);
  }

  function event(c: SimCmd, rawValue: unknown, datetime: unknown): void {
    const eq = eqLogics.get(c.eqLogic_id);
    if (c.type !== 'info' || !eq || eq.isEnable !== '1') return;
    const deny = str(c.configuration.denyValues);
    // biome-ignore lint/complexity/useOptionalChain: deny is '' when nothing is denied, which ?. would split into [''].
    if (deny && deny.split(';').includes(str(rawValue))) return;
    const value = formatValue(c, rawValue);
    const previous = cache.get(c.id);
    const repeat = previous !== undefined && String(previous.value) === String(value);
    const always = c.configuration.repeatEventManagement === 'always';
    const collectDate = datetime === undefined || datetime === null || datetime === '' ? nowLocal() : str(datetime);
    // The cache changes before the datetime reaches SQL (reference §3 steps 4-5, 8).
    cache.set(c.id, {
      value,
      collectDate,
      valueDate: repeat && !always && previous ? previous.valueDate : collectDate,
    });
    eq.status = { ...eq.status, lastCommunication: collectDate };
    if (!repeat || always) triggers.set(c.id, (triggers.get(c.id) ?? 0) + 1);
    if (c.isHistorized === '1') addHistoryValue(c, value, collectDate);
  }

  function rowsOf(cmdId: number, keep: (datetime: string) => boolean = () => true): HistoryRow[] {
    const rows: HistoryRow[] = [];
    for (const [datetime, value] of arch.get(cmdId) ?? [])
      if (keep(datetime)) rows.push({ cmd_id: cmdId, datetime, value, table: 'historyArch' });
    for (const [datetime, value] of hist.get(cmdId) ?? [])
      if (keep(datetime)) rows.push({ cmd_id: cmdId, datetime, value, table: 'history' });
    return rows.sort((a, b) => (a.datetime < b.datetime ? -1 : a.datetime > b.datetime ? 1 : 0));
  }

  /** A bound as SQL compares it: a datetime string, or nothing matches. */
  function bound(v: unknown): string | null | undefined {
    if (v === undefined || v === null || v === '') return null;
    return mysqlDatetime(str(v)) ?? undefined;
  }

  function rowsBetween(cmdId: number, start: unknown, end: unknown): HistoryRow[] {
    const s = bound(start);
    const e = bound(end);
    if (s === undefined || e === undefined) return [];
    return rowsOf(cmdId, (dt) => (s === null || dt >= s) && (e === null || dt <= e));
  }

  function statistique(cmdId: number, start: unknown, end: unknown): Record<string, unknown> {
    const s = bound(start);
    const e = bound(end);
    const rows = s && e ? rowsOf(cmdId, (dt) => dt >= s && dt <= e) : [];
    if (rows.length === 0) return { avg: null, min: null, max: null, sum: null, count: 0, std: null, variance: null };
    const cs = rows.map((r) => cents(r.value));
    const n = cs.length;
    const sum = cs.reduce((a, b) => a + b, 0);
    const mean = sum / n / 100;
    const variance = cs.reduce((a, c) => a + (c / 100 - mean) ** 2, 0) / n;
    return {
      avg: (sum / n / 100).toFixed(6),
      min: (Math.min(...cs) / 100).toFixed(2),
      max: (Math.max(...cs) / 100).toFixed(2),
      sum: (sum / 100).toFixed(2),
      count: n,
      std: Math.sqrt(variance),
      variance,
      last: rows[rows.length - 1]!.value,
    };
  }

  function purgeLimit(c: SimCmd, now: moment.Moment): string | undefined {
    let p = str(c.configuration.historyPurge);
    if (p === '') p = config.get('core::historyPurge') ?? '';
    if (p === '' || p === 'never') return undefined;
    const m = /^-?\s*(\d+)\s*(second|minute|hour|day|week|month|year)s?$/i.exec(p.trim());
    if (!m) return undefined;
    const unit = m[2]!.toLowerCase() as moment.unitOfTime.DurationConstructor;
    return now.clone().subtract(Number(m[1]), unit).format(DT_FORMAT);
  }

  function runArchive(): void {
    const now = moment.tz(clock.now(), tz());
    const archiveHours = floatval(config.get('core::historyArchiveTime') ?? '2') || 2;
    const pkgHours = floatval(config.get('core::historyArchivePackage') ?? '1') || 1;
    const limit = now.clone().subtract(archiveHours, 'hours').format(DT_FORMAT);
    for (const c of cmds.values()) {
      const table = hist.get(c.id);
      const archTable = arch.get(c.id) ?? new Map<string, string>();
      const purge = purgeLimit(c, now);
      if (purge) {
        for (const t of [table, archTable]) for (const dt of [...(t?.keys() ?? [])]) if (dt < purge) t!.delete(dt);
      }
      if (!table || table.size === 0) {
        if (archTable.size) arch.set(c.id, archTable);
        continue;
      }
      const old = [...table.entries()].filter(([dt]) => dt < limit).sort(([a], [b]) => (a < b ? -1 : 1));
      if (old.length === 0) continue;
      const mode = str(c.configuration.historizeMode);
      if (mode === 'none') {
        for (const [dt, v] of old) archTable.set(dt, v);
      } else if (c.subType === 'numeric') {
        const scale =
          c.configuration.historizeRound !== undefined && c.configuration.historizeRound !== ''
            ? Math.trunc(floatval(c.configuration.historizeRound))
            : 2;
        const groups = new Map<number, { first: string; values: number[] }>();
        for (const [dt, v] of old) {
          const g = Math.floor(unixOf(dt) / (pkgHours * 3600));
          const entry = groups.get(g) ?? { first: dt, values: [] };
          entry.values.push(roundHalfUp(floatval(v), scale));
          groups.set(g, entry);
        }
        for (const { first, values } of groups.values()) {
          const agg =
            mode === 'min' ? Math.min(...values) : mode === 'max' ? Math.max(...values) : values.reduce((a, b) => a + b, 0) / values.length;
          archTable.set(first, mode === 'min' || mode === 'max' ? agg.toFixed(scale) : agg.toFixed(9));
        }
      } else {
        // Binary and string commands keep only the rows where the value changed.
        const archived = [...archTable.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
        let last = archived.length ? archived[archived.length - 1]![1] : undefined;
        for (const [dt, v] of old) {
          if (v !== last) archTable.set(dt, v);
          last = v;
        }
      }
      for (const [dt] of old) table.delete(dt);
      arch.set(c.id, archTable);
    }
  }

  let lastCron = clock.now().getTime();
  function maybeArchive(): void {
    if (opts.autoArchive === false) return;
    const now = clock.now().getTime();
    const next = moment.tz(lastCron, tz()).startOf('day').add(5, 'hours');
    if (next.valueOf() <= lastCron) next.add(1, 'day');
    if (now >= next.valueOf()) runArchive();
    lastCron = Math.max(lastCron, now);
  }

  // ---------------------------------------------------------------- dispatcher
  function needCmd(id: unknown, code: number): SimCmd {
    const c = cmds.get(toId(id) ?? -1);
    if (!c) throw new RpcFault(code, `Commande introuvable : ${str(id)}`);
    return c;
  }

  function needEqLogic(id: unknown): SimEqLogic {
    const e = eqLogics.get(toId(id) ?? -1);
    if (!e) throw new RpcFault(602, `EqLogic introuvable : ${str(id)}`);
    return e;
  }

  function needObject(id: unknown): SimObject {
    const o = objects.get(toId(id) ?? -1);
    if (!o) throw new RpcFault(601, `Objet introuvable : ${str(id)}`);
    return o;
  }

  const cmdsOf = (eqLogicId: number) =>
    [...cmds.values()].filter((c) => c.eqLogic_id === eqLogicId).sort((a, b) => a.order - b.order || a.id - b.id);

  function dispatch(method: string, p: Record<string, unknown>): unknown {
    switch (method) {
      case 'version':
        return coreVersion;
      case 'datetime':
        return clock.now().getTime() / 1000;
      case 'config::byKey': {
        const v = config.get(`${str(p.plugin, 'core') || 'core'}::${str(p.key)}`);
        return v === undefined || v === '' ? (p.default ?? '') : v;
      }
      case 'object::all':
      case 'jeeObject::all':
        return [...objects.values()].map((o) => objectApi(o, false));
      case 'object::byId':
      case 'jeeObject::byId':
        return objectApi(needObject(p.id), false);
      case 'object::fullById':
      case 'jeeObject::fullById': {
        const o = needObject(p.id);
        return {
          ...objectApi(o, false),
          eqLogics: [...eqLogics.values()]
            .filter((e) => e.object_id === o.id)
            .map((e) => ({ ...eqLogicApi(e, false), cmds: cmdsOf(e.id).map(cmdExport) })),
        };
      }
      case 'object::save':
      case 'jeeObject::save': {
        let o = objects.get(toId(p.id) ?? -1);
        if (!o) {
          const name = str(p.name).trim();
          for (const other of objects.values()) if (other.name === name) throw duplicateEntry(name);
          o = createObject(p);
        } else {
          if ('name' in p) o.name = str(p.name);
          if ('father_id' in p) o.father_id = toId(p.father_id) ?? null;
          if ('isVisible' in p) o.isVisible = str(p.isVisible);
          if ('configuration' in p) o.configuration = mergeJson(o.configuration, p.configuration);
        }
        return objectApi(o, true);
      }
      case 'eqLogic::all':
        return [...eqLogics.values()].map((e) => eqLogicApi(e, false));
      case 'eqLogic::byType':
        return [...eqLogics.values()].filter((e) => e.eqType_name === str(p.type)).map((e) => eqLogicApi(e, false));
      case 'eqLogic::byObjectId': {
        const oid = toId(p.object_id) ?? null;
        return [...eqLogics.values()].filter((e) => e.object_id === oid).map((e) => eqLogicApi(e, false));
      }
      case 'eqLogic::byId':
        return eqLogicApi(needEqLogic(p.id), false);
      case 'eqLogic::fullById': {
        const e = needEqLogic(p.id);
        return { ...eqLogicApi(e, false), cmds: cmdsOf(e.id).map(cmdExport) };
      }
      case 'eqLogic::save':
        return eqLogicSave(p);
      case 'cmd::all':
        return [...cmds.values()].map(cmdExport);
      case 'cmd::byEqLogicId':
        return cmdsOf(toId(p.eqLogic_id) ?? -1).map(cmdExport);
      case 'cmd::byId':
        return cmdExport(needCmd(p.id, 701));
      case 'cmd::execCmd': {
        const one = (id: unknown) => {
          const c = needCmd(id, 702);
          if (c.type !== 'info') return 'ok';
          const e = cache.get(c.id);
          return { value: e ? e.value : '', collectDate: e ? e.collectDate : '' };
        };
        if (Array.isArray(p.id)) return Object.fromEntries(p.id.map((id) => [String(id), one(id)]));
        return one(p.id);
      }
      case 'cmd::save':
        return cmdSave(p);
      case 'cmd::event': {
        const c = needCmd(p.id, 702);
        event(c, p.value, p.datetime);
        return 'ok';
      }
      case 'cmd::getHistory': {
        const c = needCmd(p.id, 702);
        return rowsBetween(c.id, p.startTime, p.endTime).map(({ cmd_id, datetime, value }) => ({ cmd_id, datetime, value }));
      }
      case 'cmd::getStatistique': {
        const c = needCmd(p.id, 702);
        return statistique(c.id, p.startTime, p.endTime);
      }
      case 'cmd::getTendance': {
        const c = needCmd(p.id, 702);
        const ys = rowsBetween(c.id, p.startTime, p.endTime).map((r) => floatval(r.value));
        const n = ys.length;
        if (n < 2) return 0;
        const mx = (n - 1) / 2;
        const my = ys.reduce((a, b) => a + b, 0) / n;
        let num = 0;
        let den = 0;
        ys.forEach((y, i) => {
          num += (i - mx) * (y - my);
          den += (i - mx) ** 2;
        });
        return den === 0 ? 0 : num / den;
      }
      case 'datastore::byTypeLinkIdKey': {
        const d = datastore.get(`${str(p.type)}|${str(p.linkId)}|${str(p.key)}`);
        return d ?? null;
      }
      case 'datastore::save': {
        const k = `${str(p.type)}|${str(p.linkId)}|${str(p.key)}`;
        const d = datastore.get(k) ?? {
          id: nextDatastoreId++,
          type: str(p.type),
          link_id: Math.trunc(floatval(p.linkId)),
          key: str(p.key),
          value: '',
        };
        d.value = str(p.value);
        datastore.set(k, d);
        return 'ok';
      }
      case 'scenario::all':
        return [];
      default:
        throw new RpcFault(500, `Aucune méthode correspondante : ${method}`);
    }
  }

  function eqLogicSave(p: Record<string, unknown>): unknown {
    const eqType = str(p.eqType_name);
    if (eqType !== 'virtual') throw new RpcFault(-32000, `Type incorrect (classe commande inexistante)${eqType}Cmd`);
    let e = eqLogics.get(toId(p.id) ?? -1);
    const isNew = !e;
    // No id (or an unknown one): a new device, even when one with that name already exists.
    const target = e ? { ...e, configuration: { ...e.configuration }, status: { ...e.status } } : newEqLogic(eqType);
    applyEqLogicFields(target, p);
    saveEqLogicRecord(target, isNew);
    e = target;
    const dbList = cmdsOf(e.id);
    if (Array.isArray(p.cmd)) {
      const keep = new Set<number>();
      let order = 0;
      for (const raw of p.cmd) {
        const info = asRecord(raw);
        const existing = cmds.get(toId(info.id) ?? -1);
        const c = existing ? { ...existing } : newCmd(e);
        c.eqLogic_id = e.id;
        c.order = order++;
        applyCmdFields(c, info);
        // No transaction: an error here leaves the device and the earlier commands saved.
        saveCmdRecord(c);
        keep.add(c.id);
      }
      for (const c of dbList) if (!keep.has(c.id) && c.logicalId !== 'refresh') removeCmd(c.id);
    }
    return eqLogicApi(e, true);
  }

  function cmdSave(p: Record<string, unknown>): unknown {
    let c: SimCmd;
    if (p.id !== undefined && p.id !== null && p.id !== '') {
      c = { ...needCmd(p.id, 702) };
    } else {
      const eqType = str(p.eqType_name);
      if (eqType !== 'virtual') throw new RpcFault(-32000, `Type incorrect (classe commande inexistante)${eqType}Cmd`);
      const e = eqLogics.get(toId(p.eqLogic_id) ?? -1);
      if (!e) throw new RpcFault(-32000, `EqLogic introuvable : ${str(p.eqLogic_id)}`);
      c = newCmd(e);
      c.order = cmdsOf(e.id).length;
    }
    applyCmdFields(c, p);
    if (!eqLogics.has(c.eqLogic_id)) throw new RpcFault(-32000, `EqLogic introuvable : ${c.eqLogic_id}`);
    saveCmdRecord(c);
    return cmdApi(c, true);
  }

  /** The plain HTTP API (`type=`): answers are text, the time is always now. */
  function httpApi(q: URLSearchParams): { status: number; body: string; type: string } {
    const key = q.get('apikey') ?? q.get('api') ?? '';
    if (key.length < 16 || key !== apikey) return { status: 200, body: NOT_AUTHORIZED, type: 'text/plain' };
    if (q.get('type') === 'cmd') {
      const c = cmds.get(toId(q.get('id')) ?? -1);
      if (!c) return { status: 200, body: `Aucune commande correspondant à l'ID : ${q.get('id')}`, type: 'text/plain' };
      if (q.has('value')) event(c, q.get('value'), undefined);
      return { status: 200, body: String(cacheValue(c)), type: 'text/plain' };
    }
    return { status: 200, body: `Aucune demande : ${q.get('type')}`, type: 'text/plain' };
  }

  // ---------------------------------------------------------------- http
  function envelope(id: unknown, payload: { result: unknown } | { error: { code: number; message: string } }): string {
    return JSON.stringify({ jsonrpc: '2.0', id: id === undefined ? 99999 : id, ...payload });
  }

  function handleRpc(body: string): string {
    let req: unknown;
    try {
      req = JSON.parse(body);
    } catch {
      return envelope(99999, { error: { code: 1, message: BAD_VERSION } });
    }
    const r = asRecord(req);
    if (Array.isArray(req) || r.jsonrpc !== '2.0') {
      return envelope(r.id, { error: { code: 1, message: BAD_VERSION + str(r.jsonrpc) } });
    }
    const method = str(r.method);
    let params: Record<string, unknown>;
    try {
      params = typeof r.params === 'string' ? asRecord(JSON.parse(r.params)) : asRecord(r.params);
    } catch {
      params = {};
    }
    try {
      if (method !== 'ping') {
        const key = params.apikey ?? params.api;
        if (key === undefined || key === null || key === '') throw new RpcFault(1, NOT_AUTHORIZED);
        if (String(key).length < 16 || String(key) !== apikey) throw new RpcFault(2, NOT_AUTHORIZED);
      }
      const result = method === 'ping' ? 'pong' : dispatch(method, params);
      return envelope(r.id, { result: phpEmpty(result) ? 'ok' : result });
    } catch (err) {
      if (err instanceof RpcFault) return envelope(r.id, { error: { code: err.wireCode, message: err.message } });
      return envelope(r.id, { error: { code: -32000, message: err instanceof Error ? err.message : String(err) } });
    }
  }

  const pendingTimeouts = new Set<http.ServerResponse>();

  function takeFault(method: string | undefined): Fault | null {
    if (!fault) return null;
    if (fault.method && fault.method !== method) return null;
    const f = fault;
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) fault = null;
    }
    return f;
  }

  function peekMethod(body: string): string | undefined {
    try {
      return str(asRecord(JSON.parse(body)).method) || undefined;
    } catch {
      return undefined;
    }
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body = Buffer.concat(chunks).toString('utf8');
      const ctype = String(req.headers['content-type'] ?? '');
      if (url.searchParams.has('request')) body = url.searchParams.get('request') ?? '';
      else if (ctype.includes('application/x-www-form-urlencoded')) body = new URLSearchParams(body).get('request') ?? body;
      // Counted when received, faulted or not: what a real box's access log would show.
      const method = peekMethod(body);
      if (method) counts[method] = (counts[method] ?? 0) + 1;
      const f = takeFault(method);
      const send = (status: number, type: string, text: string) => {
        const go = () => {
          if (res.writableEnded || res.destroyed) return;
          res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
          res.end(text);
        };
        if (latencyMs > 0) setTimeout(go, latencyMs);
        else go();
      };
      if (f?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (f?.kind === 'timeout') {
        pendingTimeouts.add(res);
        res.on('close', () => pendingTimeouts.delete(res));
        return;
      }
      if (f?.kind === 'html') {
        send(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Jeedom</title></head><body>Connexion</body></html>');
        return;
      }
      if (f?.kind === 'http500') {
        send(500, 'text/html', '<html><body><h1>500 Internal Server Error</h1></body></html>');
        return;
      }
      if (url.pathname !== JEEDOM_API_PATH) {
        send(
          404,
          'text/html',
          `<html><body><h1>Not Found</h1><p>The requested URL ${url.pathname} was not found on this server.</p></body></html>`,
        );
        return;
      }
      maybeArchive();
      if (url.searchParams.has('type')) {
        const r = httpApi(url.searchParams);
        send(r.status, r.type, r.body);
        return;
      }
      send(200, 'application/json', handleRpc(body));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  return {
    url: base,
    endpoint: base + JEEDOM_API_PATH,
    apikey,
    get timezone() {
      return tz();
    },
    async close() {
      for (const res of pendingTimeouts) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    addObject(o) {
      return createObject(o);
    },
    addEqLogic(e) {
      const rec = newEqLogic(e.eqType_name ?? 'virtual');
      rec.isEnable = '1';
      rec.isVisible = '1';
      applyEqLogicFields(rec, e as Record<string, unknown>);
      saveEqLogicRecord(rec, true);
      return rec;
    },
    addCmd(c) {
      const e = eqLogics.get(c.eqLogic_id);
      if (!e) throw new Error(`simulator: no eqLogic ${c.eqLogic_id}`);
      const rec = newCmd(e);
      rec.type = 'info';
      rec.subType = 'numeric';
      rec.order = cmdsOf(e.id).length;
      applyCmdFields(rec, c as Record<string, unknown>);
      saveCmdRecord(rec);
      return rec;
    },
    addHistory(cmdId, rows, table = 'history') {
      const target = table === 'history' ? hist : arch;
      const t = target.get(cmdId) ?? new Map<string, string>();
      for (const r of rows) t.set(r.datetime, typeof r.value === 'number' ? phpNumberString(r.value) : r.value);
      target.set(cmdId, t);
    },
    setConfig(key, value, plugin = 'core') {
      if (value === null) config.delete(`${plugin}::${key}`);
      else config.set(`${plugin}::${key}`, value);
    },
    objects: () => [...objects.values()],
    eqLogics: () => [...eqLogics.values()],
    cmds: (eqLogicId) => [...cmds.values()].filter((c) => eqLogicId === undefined || c.eqLogic_id === eqLogicId),
    cmd: (id) => cmds.get(id),
    cmdByLogicalId: (eqLogicId, logicalId) => [...cmds.values()].find((c) => c.eqLogic_id === eqLogicId && c.logicalId === logicalId),
    history: (cmdId) => rowsOf(cmdId),
    currentValue: (cmdId) => {
      const e = cache.get(cmdId);
      return e ? { ...e } : undefined;
    },
    triggerCount: (cmdId) => triggers.get(cmdId) ?? 0,
    requestCount: () => requests,
    methodCounts: () => ({ ...counts }),
    resetCounts() {
      requests = 0;
      counts = {};
    },
    setFault(f) {
      fault = f ? { ...f } : null;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    runArchive,
    setEnabled(eqLogicId, enabled) {
      const e = eqLogics.get(eqLogicId);
      if (e) e.isEnable = enabled ? '1' : '0';
    },
  };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
