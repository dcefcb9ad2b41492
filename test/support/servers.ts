/**
 * Real servers for the sink tests, started on loopback on a free port and stopped by the test:
 * Debian's mosquitto (MQTT broker) and victoria-metrics (accepts InfluxDB v2 line protocol on
 * /api/v2/write). A missing binary fails the test loudly: nothing is skipped.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { tempDir } from './core.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
export const VICTORIA_METRICS = '/usr/bin/victoria-metrics';

function requireBinary(file: string): void {
  if (!fs.existsSync(file))
    throw new Error(
      `${file} is missing: run "npm run test-setup" (apt-get install ${path.basename(file) === 'victoria-metrics' ? 'victoria-metrics' : 'mosquitto'})`,
    );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, probe: () => Promise<boolean>, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}: ${log()}`);
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start within 10 s: ${log()}`);
}

const tcpOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export interface Broker {
  port: number;
  dir: string;
  /** CA certificate (PEM file) when started with TLS. */
  caFile?: string;
  /** Stops the broker and removes its folder (configuration, test keys, password file). */
  stop(): Promise<void>;
}

export interface BrokerOptions {
  users?: Record<string, string>;
  tls?: boolean;
  port?: number;
}

/** Self-signed CA and a server certificate for 127.0.0.1, made with openssl. */
export function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=jeelinky test CA',
  ]);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  fs.writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('ext.cnf'),
  ]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

export async function startMosquitto(options: BrokerOptions = {}): Promise<Broker> {
  requireBinary(MOSQUITTO);
  const dir = tempDir('jeelinky-mosquitto-');
  // Run as root, mosquitto drops to its own user: it must be able to read this folder's files.
  fs.chmodSync(dir, 0o755);
  const port = options.port ?? (await freePort());
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'log_dest stderr', 'log_type error', 'log_type warning'];
  if (options.users) {
    requireBinary(MOSQUITTO_PASSWD);
    const pw = path.join(dir, 'passwd');
    for (const [user, pass] of Object.entries(options.users)) {
      execFileSync(MOSQUITTO_PASSWD, [...(fs.existsSync(pw) ? [] : ['-c']), '-b', pw, user, pass], { stdio: 'pipe' });
    }
    lines.push('allow_anonymous false', `password_file ${pw}`);
  } else lines.push('allow_anonymous true');
  let caFile: string | undefined;
  if (options.tls) {
    const c = makeCertificates(dir);
    caFile = c.ca;
    lines.push(`certfile ${c.cert}`, `keyfile ${c.key}`);
  }
  const conf = path.join(dir, 'mosquitto.conf');
  fs.writeFileSync(conf, `${lines.join('\n')}\n`);
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644); // test-only keys and passwords
  let log = '';
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d) => (log += d));
  await waitFor(
    'mosquitto',
    () => tcpOpen(port),
    child,
    () => log,
  );
  return {
    port,
    dir,
    caFile,
    stop: async () => {
      await stop(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Everything retained under `filter`, as the broker hands it to a new subscriber. */
export async function retainedMessages(
  port: number,
  filter: string,
  options: IClientOptions = {},
): Promise<Map<string, { payload: string; retain: boolean }>> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, ...options });
  const got = new Map<string, { payload: string; retain: boolean }>();
  client.on(
    'message',
    (topic, payload, packet) =>
      topic.startsWith('jeelinky-test/') || got.set(topic, { payload: payload.toString(), retain: packet.retain }),
  );
  await client.subscribeAsync(filter, { qos: 1 });
  // Retained messages arrive right after SUBACK; a round trip through the broker marks the end.
  const marker = `jeelinky-test/marker/${Math.random()}`;
  await new Promise<void>((resolve) => {
    const c = client as MqttClient;
    c.subscribe(marker, { qos: 1 }, () => {
      c.on('message', (topic) => topic === marker && resolve());
      c.publish(marker, 'x', { qos: 1 });
    });
  });
  await client.endAsync();
  return got;
}

/** A live subscriber that records every message (retain flag as delivered) until stopped. */
export async function subscriber(
  port: number,
  filter: string,
): Promise<{ messages: Array<{ topic: string; payload: string; retain: boolean }>; stop(): Promise<void> }> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
  const messages: Array<{ topic: string; payload: string; retain: boolean }> = [];
  client.on('message', (topic, payload, packet) => messages.push({ topic, payload: payload.toString(), retain: packet.retain }));
  await client.subscribeAsync(filter, { qos: 1 });
  return { messages, stop: () => client.endAsync() };
}

export interface Victoria {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Raw samples of the series matching `match` (a PromQL selector), from /api/v1/export. */
  exportSeries(match: string): Promise<Array<{ metric: Record<string, string>; values: number[]; timestamps: number[] }>>;
}

export async function startVictoriaMetrics(options: { dedup?: boolean } = {}): Promise<Victoria> {
  requireBinary(VICTORIA_METRICS);
  const dir = tempDir('jeelinky-vm-');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  // dedup.minScrapeInterval=1ms: samples of one series at the same millisecond are kept once, as
  // InfluxDB overwrites a point with the same series and timestamp.
  const child = spawn(
    VICTORIA_METRICS,
    [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-storageDataPath=${dir}`,
      ...(options.dedup === false ? [] : ['-dedup.minScrapeInterval=1ms']),
      '-retentionPeriod=100y',
      '-search.disableCache',
      '-loggerLevel=ERROR',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr!.on('data', (d) => (log += d));
  await waitFor(
    'victoria-metrics',
    async () => {
      try {
        return (await fetch(`${url}/health`)).ok;
      } catch {
        return false;
      }
    },
    child,
    () => log,
  );
  return {
    url,
    port,
    stop: async () => {
      await stop(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
    exportSeries: async (match) => {
      // Written samples become searchable after an in-memory flush: force it, then read.
      await fetch(`${url}/internal/force_flush`);
      const res = await fetch(`${url}/api/v1/export?${new URLSearchParams({ 'match[]': match, start: '0' })}`);
      if (!res.ok) throw new Error(`export: HTTP ${res.status} ${await res.text()}`);
      const text = await res.text();
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    },
  };
}

export interface StallingRelay {
  port: number;
  /** Bytes the client sent so far (to know that a publish or write is under way). */
  bytesFromClient(): number;
  stop(): Promise<void>;
}

/**
 * A TCP relay on loopback in front of a real server that passes the server's first `passBytes`
 * bytes (an MQTT CONNACK is 4) and then holds the rest: the server received everything, the client
 * waits for its acknowledgements forever, as with a broker or database that hangs mid-way.
 */
export async function stallingRelay(targetPort: number, passBytes: number): Promise<StallingRelay> {
  let fromClient = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    let passed = 0;
    client.on('data', (d) => {
      fromClient += d.length;
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      const room = Math.max(0, passBytes - passed);
      if (room > 0) client.write(d.subarray(0, room));
      passed += d.length;
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    bytesFromClient: () => fromClient,
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface TlsHttpServer {
  /** https://127.0.0.1:<port> */
  url: string;
  port: number;
  /** PEM file of the test CA that signed the server's certificate (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** Requests that reached the handler (over TLS). */
  requests: number;
  stop(): Promise<void>;
}

/** An HTTPS server on loopback with a certificate of a test CA made by openssl (nothing trusts it by default). */
export async function startTlsHttpServer(handler: http.RequestListener): Promise<TlsHttpServer> {
  const dir = tempDir('jeelinky-tls-');
  const c = makeCertificates(dir);
  const state = { requests: 0 };
  const server = https.createServer({ key: fs.readFileSync(c.key), cert: fs.readFileSync(c.cert) }, (req, res) => {
    state.requests += 1;
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caFile: c.ca,
    get requests() {
      return state.requests;
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
