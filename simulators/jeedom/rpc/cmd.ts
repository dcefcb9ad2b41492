/** The `cmd::*` methods: the commands, their values, and their history and statistics. */
import { applyCmdFields } from '../database.js';
import { event, rowsBetween, statistique, tendance } from '../history.js';
import { str, toId } from '../php.js';
import { RpcFault } from '../rpc-fault.js';
import type { SimCmd } from '../types.js';
import { type RpcMethod, cmdApi, cmdExport } from './shapes.js';

/** `cmd::save`: updates a command by id, or adds one to a virtual device. */
const save: RpcMethod = (db, p) => {
  let c: SimCmd;
  if (p.id !== undefined && p.id !== null && p.id !== '') {
    c = { ...db.needCmd(p.id, 702) };
  } else {
    const eqType = str(p.eqType_name);
    if (eqType !== 'virtual') throw new RpcFault(-32000, `Type incorrect (classe commande inexistante)${eqType}Cmd`);
    const e = db.eqLogics.get(toId(p.eqLogic_id) ?? -1);
    if (!e) throw new RpcFault(-32000, `EqLogic introuvable : ${str(p.eqLogic_id)}`);
    c = db.newCmd(e);
    c.order = db.cmdsOf(e.id).length;
  }
  applyCmdFields(c, p);
  if (!db.eqLogics.has(c.eqLogic_id)) throw new RpcFault(-32000, `EqLogic introuvable : ${c.eqLogic_id}`);
  db.saveCmdRecord(c);
  return cmdApi(c, true);
};

/** `cmd::execCmd`: an info command's cached value and date ("ok" for an action), one id or several. */
const execCmd: RpcMethod = (db, p) => {
  const one = (id: unknown) => {
    const c = db.needCmd(id, 702);
    if (c.type !== 'info') return 'ok';
    const e = db.cache.get(c.id);
    return { value: e ? e.value : '', collectDate: e ? e.collectDate : '' };
  };
  if (Array.isArray(p.id)) return Object.fromEntries(p.id.map((id) => [String(id), one(id)]));
  return one(p.id);
};

export const cmdMethods: Record<string, RpcMethod> = {
  'cmd::all': (db) => [...db.cmds.values()].map((c) => cmdExport(db, c)),
  'cmd::byEqLogicId': (db, p) => db.cmdsOf(toId(p.eqLogic_id) ?? -1).map((c) => cmdExport(db, c)),
  'cmd::byId': (db, p) => cmdExport(db, db.needCmd(p.id, 701)),
  'cmd::execCmd': execCmd,
  'cmd::save': save,
  'cmd::event': (db, p) => {
    const c = db.needCmd(p.id, 702);
    event(db, c, p.value, p.datetime);
    return 'ok';
  },
  'cmd::getHistory': (db, p) => {
    const c = db.needCmd(p.id, 702);
    return rowsBetween(db, c.id, p.startTime, p.endTime).map(({ cmd_id, datetime, value }) => ({ cmd_id, datetime, value }));
  },
  'cmd::getStatistique': (db, p) => {
    const c = db.needCmd(p.id, 702);
    return statistique(db, c.id, p.startTime, p.endTime);
  },
  'cmd::getTendance': (db, p) => {
    const c = db.needCmd(p.id, 702);
    return tendance(db, c.id, p.startTime, p.endTime);
  },
};
