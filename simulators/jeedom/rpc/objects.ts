/** The `jeeObject::*` methods (and their older `object::*` names). */
import { mergeJson, str, toId } from '../php.js';
import { duplicateEntry } from '../rpc-fault.js';
import { type RpcMethod, cmdExport, eqLogicApi, objectApi } from './shapes.js';

const all: RpcMethod = (db) => [...db.objects.values()].map((o) => objectApi(o, false));

const byId: RpcMethod = (db, p) => objectApi(db.needObject(p.id), false);

const fullById: RpcMethod = (db, p) => {
  const o = db.needObject(p.id);
  return {
    ...objectApi(o, false),
    eqLogics: [...db.eqLogics.values()]
      .filter((e) => e.object_id === o.id)
      .map((e) => ({ ...eqLogicApi(e, false), cmds: db.cmdsOf(e.id).map((c) => cmdExport(db, c)) })),
  };
};

const save: RpcMethod = (db, p) => {
  let o = db.objects.get(toId(p.id) ?? -1);
  if (!o) {
    const name = str(p.name).trim();
    for (const other of db.objects.values()) if (other.name === name) throw duplicateEntry(name);
    o = db.createObject(p);
  } else {
    if ('name' in p) o.name = str(p.name);
    if ('father_id' in p) o.father_id = toId(p.father_id) ?? null;
    if ('isVisible' in p) o.isVisible = str(p.isVisible);
    if ('configuration' in p) o.configuration = mergeJson(o.configuration, p.configuration);
  }
  return objectApi(o, true);
};

export const objectMethods: Record<string, RpcMethod> = {
  'object::all': all,
  'jeeObject::all': all,
  'object::byId': byId,
  'jeeObject::byId': byId,
  'object::fullById': fullById,
  'jeeObject::fullById': fullById,
  'object::save': save,
  'jeeObject::save': save,
};
