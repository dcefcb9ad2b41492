/**
 * A Jeedom 4.x JSON-RPC simulator: a real node:http server on 127.0.0.1 that reproduces the
 * semantics documented in docs/jeedom-api.md (checked against Jeedom 4.5.3), so that tests,
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
 *
 * In jeedom/: types (options, records, the handle), database (the tables and Jeedom's save checks),
 * history (event, history writes, reads, archive), php (PHP/MariaDB value semantics), rpc/ (the
 * JSON-RPC methods by namespace), server (HTTP, envelope, faults, the handle).
 */
export { mysqlDatetime } from './jeedom/php.js';
export { startJeedomSimulator } from './jeedom/server.js';
export {
  type Fault,
  type FaultKind,
  type HistoryRow,
  JEEDOM_API_PATH,
  type JeedomSimulator,
  type JeedomSimulatorOptions,
  SIM_DEFAULT_APIKEY,
  type SimCmd,
  type SimEqLogic,
  type SimObject,
} from './jeedom/types.js';
