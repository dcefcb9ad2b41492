/** The core's small methods: `version`, `datetime`, `config::byKey`, the data store, scenarios. */
import { str } from '../php.js';
import type { RpcMethod } from './shapes.js';

export const coreMethods: Record<string, RpcMethod> = {
  version: (db) => db.coreVersion,
  datetime: (db) => db.clock.now().getTime() / 1000,
  'config::byKey': (db, p) => {
    const v = db.config.get(`${str(p.plugin, 'core') || 'core'}::${str(p.key)}`);
    return v === undefined || v === '' ? (p.default ?? '') : v;
  },
  'datastore::byTypeLinkIdKey': (db, p) => {
    const d = db.datastore.get(`${str(p.type)}|${str(p.linkId)}|${str(p.key)}`);
    return d ?? null;
  },
  'datastore::save': (db, p) => {
    db.saveDatastore(str(p.type), p.linkId, str(p.key), str(p.value));
    return 'ok';
  },
  'scenario::all': () => [],
};
