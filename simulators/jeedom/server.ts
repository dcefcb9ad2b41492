/**
 * The Jeedom simulator's HTTP side: the node:http server on 127.0.0.1, the JSON-RPC envelope and
 * API key check, the plain HTTP API (`type=cmd`), the injected faults and latency, the request
 * counts, and the handle a test holds.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimDatabase, applyCmdFields, applyEqLogicFields } from './database.js';
import { archiveCron, event, importHistory, rowsOf, runArchive } from './history.js';
import { asRecord, phpEmpty, str, toId } from './php.js';
import { dispatch } from './rpc/index.js';
import { BAD_VERSION, NOT_AUTHORIZED, RpcFault } from './rpc-fault.js';
import { type Fault, JEEDOM_API_PATH, type JeedomSimulator, type JeedomSimulatorOptions } from './types.js';

/** The plain HTTP API (`type=`): answers are text, the time is always now. */
function httpApi(db: SimDatabase, q: URLSearchParams): { status: number; body: string; type: string } {
  const key = q.get('apikey') ?? q.get('api') ?? '';
  if (key.length < 16 || key !== db.apikey) return { status: 200, body: NOT_AUTHORIZED, type: 'text/plain' };
  if (q.get('type') === 'cmd') {
    const c = db.cmds.get(toId(q.get('id')) ?? -1);
    if (!c) return { status: 200, body: `Aucune commande correspondant à l'ID : ${q.get('id')}`, type: 'text/plain' };
    if (q.has('value')) event(db, c, q.get('value'), undefined);
    return { status: 200, body: String(db.cacheValue(c)), type: 'text/plain' };
  }
  return { status: 200, body: `Aucune demande : ${q.get('type')}`, type: 'text/plain' };
}

// ---------------------------------------------------------------- JSON-RPC
function envelope(id: unknown, payload: { result: unknown } | { error: { code: number; message: string } }): string {
  return JSON.stringify({ jsonrpc: '2.0', id: id === undefined ? 99999 : id, ...payload });
}

function handleRpc(db: SimDatabase, body: string): string {
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
      if (String(key).length < 16 || String(key) !== db.apikey) throw new RpcFault(2, NOT_AUTHORIZED);
    }
    const result = method === 'ping' ? 'pong' : dispatch(db, method, params);
    return envelope(r.id, { result: phpEmpty(result) ? 'ok' : result });
  } catch (err) {
    if (err instanceof RpcFault) return envelope(r.id, { error: { code: err.wireCode, message: err.message } });
    return envelope(r.id, { error: { code: -32000, message: err instanceof Error ? err.message : String(err) } });
  }
}

function peekMethod(body: string): string | undefined {
  try {
    return str(asRecord(JSON.parse(body)).method) || undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- traffic
/** What the server counts and what a test makes it do: latency, the next faults. */
class Traffic {
  requests = 0;
  counts: Record<string, number> = {};
  fault: Fault | null = null;
  /** Answers held back by a `timeout` fault, destroyed on close. */
  readonly pendingTimeouts = new Set<http.ServerResponse>();

  constructor(public latencyMs: number) {}

  takeFault(method: string | undefined): Fault | null {
    if (!this.fault) return null;
    if (this.fault.method && this.fault.method !== method) return null;
    const f = this.fault;
    if (f.count !== undefined) {
      f.count -= 1;
      if (f.count <= 0) this.fault = null;
    }
    return f;
  }
}

type Send = (status: number, type: string, text: string) => void;

/** Answers as the fault says (a reset, no answer, a login page, a 500); false when there is none. */
function answerFault(f: Fault | null, traffic: Traffic, req: http.IncomingMessage, res: http.ServerResponse, send: Send): boolean {
  if (f?.kind === 'reset') {
    req.socket.destroy();
    return true;
  }
  if (f?.kind === 'timeout') {
    traffic.pendingTimeouts.add(res);
    res.on('close', () => traffic.pendingTimeouts.delete(res));
    return true;
  }
  if (f?.kind === 'html') {
    send(200, 'text/html; charset=utf-8', '<!DOCTYPE html><html><head><title>Jeedom</title></head><body>Connexion</body></html>');
    return true;
  }
  if (f?.kind === 'http500') {
    send(500, 'text/html', '<html><body><h1>500 Internal Server Error</h1></body></html>');
    return true;
  }
  return false;
}

/** One request, its body read: counted, maybe faulted, then the HTTP API or JSON-RPC. */
function handleRequest(
  db: SimDatabase,
  traffic: Traffic,
  maybeArchive: () => void,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  raw: string,
): void {
  traffic.requests += 1;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let body = raw;
  const ctype = String(req.headers['content-type'] ?? '');
  if (url.searchParams.has('request')) body = url.searchParams.get('request') ?? '';
  else if (ctype.includes('application/x-www-form-urlencoded')) body = new URLSearchParams(body).get('request') ?? body;
  // Counted when received, faulted or not: what a real box's access log would show.
  const method = peekMethod(body);
  if (method) traffic.counts[method] = (traffic.counts[method] ?? 0) + 1;
  const f = traffic.takeFault(method);
  const send: Send = (status, type, text) => {
    const go = () => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (traffic.latencyMs > 0) setTimeout(go, traffic.latencyMs);
    else go();
  };
  if (answerFault(f, traffic, req, res, send)) return;
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
    const r = httpApi(db, url.searchParams);
    send(r.status, r.type, r.body);
    return;
  }
  send(200, 'application/json', handleRpc(db, body));
}

// ---------------------------------------------------------------- start
export async function startJeedomSimulator(opts: JeedomSimulatorOptions = {}): Promise<JeedomSimulator> {
  const db = new SimDatabase(opts);
  const traffic = new Traffic(opts.latencyMs ?? 0);
  const maybeArchive = archiveCron(db, opts.autoArchive !== false);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handleRequest(db, traffic, maybeArchive, req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return simulatorHandle(db, traffic, server, `http://127.0.0.1:${port}`);
}

/** What a test holds: preloading, inspection and control of a running simulator. */
function simulatorHandle(db: SimDatabase, traffic: Traffic, server: http.Server, base: string): JeedomSimulator {
  return {
    url: base,
    endpoint: base + JEEDOM_API_PATH,
    apikey: db.apikey,
    get timezone() {
      return db.tz();
    },
    async close() {
      for (const res of traffic.pendingTimeouts) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    addObject(o) {
      return db.createObject(o);
    },
    addEqLogic(e) {
      const rec = db.newEqLogic(e.eqType_name ?? 'virtual');
      rec.isEnable = '1';
      rec.isVisible = '1';
      applyEqLogicFields(rec, e as Record<string, unknown>);
      db.saveEqLogicRecord(rec, true);
      return rec;
    },
    addCmd(c) {
      const e = db.eqLogics.get(c.eqLogic_id);
      if (!e) throw new Error(`simulator: no eqLogic ${c.eqLogic_id}`);
      const rec = db.newCmd(e);
      rec.type = 'info';
      rec.subType = 'numeric';
      rec.order = db.cmdsOf(e.id).length;
      applyCmdFields(rec, c as Record<string, unknown>);
      db.saveCmdRecord(rec);
      return rec;
    },
    addHistory(cmdId, rows, table = 'history') {
      importHistory(db, cmdId, rows, table);
    },
    setConfig(key, value, plugin = 'core') {
      if (value === null) db.config.delete(`${plugin}::${key}`);
      else db.config.set(`${plugin}::${key}`, value);
    },
    objects: () => [...db.objects.values()],
    eqLogics: () => [...db.eqLogics.values()],
    cmds: (eqLogicId) => [...db.cmds.values()].filter((c) => eqLogicId === undefined || c.eqLogic_id === eqLogicId),
    cmd: (id) => db.cmds.get(id),
    cmdByLogicalId: (eqLogicId, logicalId) => [...db.cmds.values()].find((c) => c.eqLogic_id === eqLogicId && c.logicalId === logicalId),
    history: (cmdId) => rowsOf(db, cmdId),
    currentValue: (cmdId) => {
      const e = db.cache.get(cmdId);
      return e ? { ...e } : undefined;
    },
    triggerCount: (cmdId) => db.triggers.get(cmdId) ?? 0,
    requestCount: () => traffic.requests,
    methodCounts: () => ({ ...traffic.counts }),
    resetCounts() {
      traffic.requests = 0;
      traffic.counts = {};
    },
    setFault(f) {
      traffic.fault = f ? { ...f } : null;
    },
    setLatency(ms) {
      traffic.latencyMs = ms;
    },
    runArchive: () => runArchive(db),
    setEnabled(eqLogicId, enabled) {
      const e = db.eqLogics.get(eqLogicId);
      if (e) e.isEnable = enabled ? '1' : '0';
    },
  };
}
