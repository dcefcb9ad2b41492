/** The `eqLogic::*` methods. */
import { applyCmdFields, applyEqLogicFields } from '../database.js';
import { asRecord, str, toId } from '../php.js';
import { RpcFault } from '../rpc-fault.js';
import { type RpcMethod, cmdExport, eqLogicApi } from './shapes.js';

/**
 * `eqLogic::save`: creates or updates the device, then, when `cmd` is sent, saves those commands in
 * that order and deletes the ones left out (their history with them), "Rafraichir" excepted.
 */
const save: RpcMethod = (db, p) => {
  const eqType = str(p.eqType_name);
  if (eqType !== 'virtual') throw new RpcFault(-32000, `Type incorrect (classe commande inexistante)${eqType}Cmd`);
  let e = db.eqLogics.get(toId(p.id) ?? -1);
  const isNew = !e;
  // No id (or an unknown one): a new device, even when one with that name already exists.
  const target = e ? { ...e, configuration: { ...e.configuration }, status: { ...e.status } } : db.newEqLogic(eqType);
  applyEqLogicFields(target, p);
  db.saveEqLogicRecord(target, isNew);
  e = target;
  const dbList = db.cmdsOf(e.id);
  if (Array.isArray(p.cmd)) {
    const keep = new Set<number>();
    let order = 0;
    for (const raw of p.cmd) {
      const info = asRecord(raw);
      const existing = db.cmds.get(toId(info.id) ?? -1);
      const c = existing ? { ...existing } : db.newCmd(e);
      c.eqLogic_id = e.id;
      c.order = order++;
      applyCmdFields(c, info);
      // No transaction: an error here leaves the device and the earlier commands saved.
      db.saveCmdRecord(c);
      keep.add(c.id);
    }
    for (const c of dbList) if (!keep.has(c.id) && c.logicalId !== 'refresh') db.removeCmd(c.id);
  }
  return eqLogicApi(e, true);
};

export const eqLogicMethods: Record<string, RpcMethod> = {
  'eqLogic::all': (db) => [...db.eqLogics.values()].map((e) => eqLogicApi(e, false)),
  'eqLogic::byType': (db, p) => [...db.eqLogics.values()].filter((e) => e.eqType_name === str(p.type)).map((e) => eqLogicApi(e, false)),
  'eqLogic::byObjectId': (db, p) => {
    const oid = toId(p.object_id) ?? null;
    return [...db.eqLogics.values()].filter((e) => e.object_id === oid).map((e) => eqLogicApi(e, false));
  },
  'eqLogic::byId': (db, p) => eqLogicApi(db.needEqLogic(p.id), false),
  'eqLogic::fullById': (db, p) => {
    const e = db.needEqLogic(p.id);
    return { ...eqLogicApi(e, false), cmds: db.cmdsOf(e.id).map((c) => cmdExport(db, c)) };
  },
  'eqLogic::save': save,
};
