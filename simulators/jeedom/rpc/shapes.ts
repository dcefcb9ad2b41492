/**
 * The records as Jeedom's JSON-RPC API writes them (`utils::o2a`): empty JSON attributes as `[]`,
 * ids as numbers, except in the answer to a `save` (strings, as PHP's PDO gives them back).
 */
import type { SimDatabase } from '../database.js';
import { phpAssoc } from '../php.js';
import type { SimCmd, SimEqLogic, SimObject } from '../types.js';

/** One JSON-RPC method: its params in, its result out (a throw is the error answer). */
export type RpcMethod = (db: SimDatabase, p: Record<string, unknown>) => unknown;

export const objectApi = (o: SimObject, stringIds: boolean) => ({
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

export const eqLogicApi = (e: SimEqLogic, stringIds: boolean) => ({
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

export const cmdApi = (c: SimCmd, stringIds: boolean) => ({
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
export const cmdExport = (db: SimDatabase, c: SimCmd) => ({
  ...cmdApi(c, false),
  currentValue: c.type === 'info' ? db.cacheValue(c) : null,
});
