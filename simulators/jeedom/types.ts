/**
 * The Jeedom simulator's constants and types: its options, the records of its database (objects,
 * eqLogics, commands, history rows) and the handle a test holds.
 */
export const JEEDOM_API_PATH = '/core/api/jeeApi.php';
export const SIM_DEFAULT_APIKEY = 'SimJeedomCoreApiKey0123456789abcdefXYZ';
/** How Jeedom writes a local datetime (SQL DATETIME). */
export const DT_FORMAT = 'YYYY-MM-DD HH:mm:ss';

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

/** A command's current value, as Jeedom's cache holds it. */
export interface CacheEntry {
  value: string | number;
  collectDate: string;
  valueDate: string;
}

/** A row of Jeedom's `dataStore` table. */
export interface DatastoreEntry {
  id: number;
  type: string;
  link_id: number;
  key: string;
  value: string;
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
