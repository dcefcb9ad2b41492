/**
 * The JSON-RPC dispatcher: every method the simulator knows, by name; any other answers Jeedom's
 * "Aucune méthode correspondante" (code 500). `ping` and the API key check come before (server.ts).
 */
import type { SimDatabase } from '../database.js';
import { RpcFault } from '../rpc-fault.js';
import { cmdMethods } from './cmd.js';
import { coreMethods } from './core.js';
import { eqLogicMethods } from './eqlogic.js';
import { objectMethods } from './objects.js';
import type { RpcMethod } from './shapes.js';

const METHODS = new Map<string, RpcMethod>(Object.entries({ ...coreMethods, ...objectMethods, ...eqLogicMethods, ...cmdMethods }));

export function dispatch(db: SimDatabase, method: string, p: Record<string, unknown>): unknown {
  const run = METHODS.get(method);
  if (!run) throw new RpcFault(500, `Aucune méthode correspondante : ${method}`);
  return run(db, p);
}
