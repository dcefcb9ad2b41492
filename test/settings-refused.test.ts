/**
 * Settings that a server refuses, met the way a user meets them: the built CLI as a child process
 * against real servers on loopback (mosquitto with a password file or a TLS listener, the Enedis
 * and Jeedom simulators, victoria-metrics, small HTTP/HTTPS servers answering like InfluxDB).
 * Each is exit 78 with one line naming the setting to fix, never a temporary failure (75) that a
 * scheduler would retry forever, and it is told even when nothing is pending.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { harness, PDL, runCli, type Harness } from './support/core.js';
import {
  startMosquitto,
  startTlsHttpServer,
  startVictoriaMetrics,
  type Broker,
  type TlsHttpServer,
  type Victoria,
} from './support/servers.js';

const PASSWORD = 'mqtt-right-pass-77';
const TOKEN = 'influx-token-secret-0042';
let h: Harness;
let broker: Broker;
let tlsBroker: Broker;
let vm: Victoria;
let tlsServer: TlsHttpServer;
let refusing: http.Server;
let refusingUrl: string;
let jeedom: JeedomSimulator;

beforeAll(async () => {
  h = await harness('2024-11-05T10:00:00+01:00');
  await h.pairNow();
  const filled = await h.run();
  expect(filled.kinds.every((k) => k.status === 'ok')).toBe(true);
  [broker, tlsBroker, vm, jeedom] = await Promise.all([
    startMosquitto({ users: { linky: PASSWORD } }),
    startMosquitto({ tls: true }),
    startVictoriaMetrics(),
    startJeedomSimulator(),
  ]);
  // Answers every write like InfluxDB v2 does for a token it does not know.
  refusing = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(401, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"code":"unauthorized","message":"unauthorized access"}');
    });
  });
  await new Promise<void>((r) => refusing.listen(0, '127.0.0.1', r));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
  tlsServer = await startTlsHttpServer((req, res) => {
    req.resume();
    req.on('end', () => (res.writeHead(204), res.end()));
  });
}, 60_000);
afterAll(async () => {
  await Promise.all([broker?.stop(), tlsBroker?.stop(), vm?.stop(), jeedom?.close(), tlsServer?.stop()]);
  if (refusing) await new Promise((r) => refusing.close(r));
  await h?.close();
});

const mqttEnv = (extra: Record<string, string> = {}) => ({
  JEELINKY_STATE_DIR: h.config.stateDir,
  JEELINKY_MQTT_HOST: '127.0.0.1',
  JEELINKY_MQTT_PORT: String(broker.port),
  JEELINKY_MQTT_USERNAME: 'linky',
  JEELINKY_MQTT_PASSWORD: PASSWORD,
  ...extra,
});
const influxEnv = (url: string, extra: Record<string, string> = {}) => ({
  JEELINKY_STATE_DIR: h.config.stateDir,
  JEELINKY_INFLUXDB_URL: url,
  JEELINKY_INFLUXDB_TOKEN: TOKEN,
  JEELINKY_INFLUXDB_ORG: 'home',
  JEELINKY_INFLUXDB_BUCKET: 'linky',
  ...extra,
});

/** Runs the CLI and checks the common shape: exit 78, one line on stderr, no secret. */
async function refused(args: string[], env: Record<string, string>, secrets: string[] = []) {
  const started = Date.now();
  const r = await runCli(args, env, 30_000);
  const lines = r.stderr.trim().split('\n');
  expect(r.code, r.stderr).toBe(78);
  expect(lines, r.stderr).toHaveLength(1);
  for (const s of secrets) expect(r.stdout + r.stderr).not.toContain(s);
  return { ...r, line: lines[0]!, seconds: (Date.now() - started) / 1000 };
}

describe('MQTT settings refused, even with nothing pending', () => {
  it('publish with nothing pending still connects: wrong password is 78 naming the username and password settings', async () => {
    const first = await runCli(['publish', '--json'], mqttEnv());
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['publish', '--json'], mqttEnv());
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).sinks).toEqual([{ sink: 'mqtt', written: 0, skipped: 0, corrected: 0, failed: 0 }]);

    const r = await refused(['publish'], mqttEnv({ JEELINKY_MQTT_PASSWORD: 'wrong-pass-88' }), ['wrong-pass-88', PASSWORD]);
    expect(r.line).toContain('refused the credentials');
    expect(r.line).toContain('JEELINKY_MQTT_USERNAME');
    expect(r.line).toContain('JEELINKY_MQTT_PASSWORD');
    // Nothing was lost: the readings were delivered before, nothing is marked otherwise.
    expect(r.stdout).toContain('mqtt     not delivered (readings kept)');
  });

  it('run with nothing to deliver says the same (78), not a clean exit', async () => {
    const r = await refused(
      ['run', '--refresh-token'],
      {
        ...mqttEnv({ JEELINKY_MQTT_PASSWORD: 'wrong-pass-88' }),
        JEELINKY_AUTH_URL: h.sim.url,
        JEELINKY_API_URL: h.sim.url,
        JEELINKY_PACE_MS: '0',
      },
      ['wrong-pass-88'],
    );
    expect(r.line).toContain('JEELINKY_MQTT_PASSWORD');
  });

  it('a broker whose certificate cannot be verified: 78 naming JEELINKY_MQTT_CA_FILE, with nothing pending', async () => {
    const env = {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_MQTT_HOST: '127.0.0.1',
      JEELINKY_MQTT_PORT: String(tlsBroker.port),
      JEELINKY_MQTT_TLS: '1',
    };
    const withCa = await runCli(['publish'], { ...env, JEELINKY_MQTT_CA_FILE: tlsBroker.caFile! });
    expect(withCa.code, withCa.stderr).toBe(0);
    expect(withCa.stdout).toContain('mqtt     0 written'); // the ledger is per sink: nothing pending
    const r = await refused(['publish'], env);
    expect(r.line).toContain('JEELINKY_MQTT_CA_FILE');
    expect(r.line).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/);
    // The other way the message gives: the CA trusted process-wide.
    const extraCa = await runCli(['publish'], { ...env, NODE_EXTRA_CA_CERTS: tlsBroker.caFile! });
    expect(extraCa.code, extraCa.stderr).toBe(0);
  });

  it('TLS on a plain port, or plain on a TLS port: 78 naming JEELINKY_MQTT_TLS, quickly', async () => {
    const tlsOnPlain = await refused(['publish', '--sink', 'mqtt', '--since', '2024-11-04'], mqttEnv({ JEELINKY_MQTT_TLS: '1' }), [
      PASSWORD,
    ]);
    expect(tlsOnPlain.line).toContain('speaks plain MQTT, not TLS');
    expect(tlsOnPlain.line).toContain('JEELINKY_MQTT_TLS=0');
    expect(tlsOnPlain.seconds).toBeLessThan(15);

    const plainOnTls = await refused(['publish'], {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_MQTT_HOST: '127.0.0.1',
      JEELINKY_MQTT_PORT: String(tlsBroker.port),
    });
    expect(plainOnTls.line).toContain('speaks MQTT over TLS');
    expect(plainOnTls.line).toContain('JEELINKY_MQTT_TLS=1');
    expect(plainOnTls.seconds).toBeLessThan(15);
  });
});

describe('InfluxDB settings refused', () => {
  it('a refused token with nothing pending: publish still checks it, 78 naming JEELINKY_INFLUXDB_TOKEN', async () => {
    const first = await runCli(['publish', '--sink', 'influx'], influxEnv(vm.url));
    expect(first.code, first.stderr).toBe(0);
    const again = await runCli(['publish', '--sink', 'influx', '--json'], influxEnv(vm.url));
    expect(again.code, again.stderr).toBe(0); // the empty write of the check is accepted
    expect(JSON.parse(again.stdout).sinks).toEqual([{ sink: 'influx', written: 0, skipped: 0, corrected: 0, failed: 0 }]);

    const r = await refused(['publish', '--sink', 'influx'], influxEnv(refusingUrl), [TOKEN]);
    expect(r.line).toContain('refused the token (HTTP 401)');
    expect(r.line).toContain('JEELINKY_INFLUXDB_TOKEN');
  });

  it('https:// on a plain HTTP port: 78 naming JEELINKY_INFLUXDB_URL and http://, not retried', async () => {
    const url = vm.url.replace('http://', 'https://');
    // With readings to write (--since): the write path; without: the check.
    const forced = await refused(['publish', '--sink', 'influx', '--since', '2024-11-04'], influxEnv(url), [TOKEN]);
    expect(forced.line).toContain('JEELINKY_INFLUXDB_URL');
    expect(forced.line).toContain('write http:// instead of https://');
    expect(forced.seconds).toBeLessThan(10); // JEELINKY_RETRY_BASE_MS is 2 s: four retries would take 30 s
    const pendingNone = await refused(['publish', '--sink', 'influx'], influxEnv(url), [TOKEN]);
    expect(pendingNone.line).toContain('write http:// instead of https://');
  });

  it('http:// on an HTTPS port: 78 naming JEELINKY_INFLUXDB_URL and https://; a self-signed certificate names NODE_EXTRA_CA_CERTS', async () => {
    const plainOnTls = await refused(
      ['publish', '--sink', 'influx', '--since', '2024-11-04'],
      influxEnv(tlsServer.url.replace('https://', 'http://')),
      [TOKEN],
    );
    expect(plainOnTls.line).toContain('JEELINKY_INFLUXDB_URL');
    expect(plainOnTls.line).toContain('write https:// instead of http://');
    expect(plainOnTls.seconds).toBeLessThan(10);

    const before = tlsServer.requests;
    const untrusted = await refused(['publish', '--sink', 'influx', '--since', '2024-11-04'], influxEnv(tlsServer.url), [TOKEN]);
    expect(untrusted.line).toContain('JEELINKY_INFLUXDB_URL');
    expect(untrusted.line).toContain('cannot be verified');
    expect(untrusted.line).toContain('NODE_EXTRA_CA_CERTS');
    expect(tlsServer.requests).toBe(before); // verification on: nothing was sent

    // Trusting the test CA the way the message says makes it work.
    const trusted = await runCli(['publish', '--sink', 'influx', '--since', '2024-11-04'], {
      ...influxEnv(tlsServer.url),
      NODE_EXTRA_CA_CERTS: tlsServer.caFile,
    });
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(tlsServer.requests).toBeGreaterThan(before);
  });
});

describe('Enedis and Jeedom URLs with the wrong scheme', () => {
  it('JEELINKY_AUTH_URL https:// on the (plain HTTP) simulator: 78 naming it, quickly', async () => {
    const calls = h.sim.calls.length;
    const r = await refused(['run', '--code'], {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_AUTH_URL: h.sim.url.replace('http://', 'https://'),
      JEELINKY_PACE_MS: '0',
    });
    expect(r.line).toContain('JEELINKY_AUTH_URL');
    expect(r.line).toContain('write http:// instead of https://');
    expect(r.seconds).toBeLessThan(10);
    expect(h.sim.calls.length).toBe(calls);
  });

  it('JEELINKY_AUTH_URL http:// on an HTTPS server: 78 naming it, not retried as a reset', async () => {
    const r = await refused(['run', '--code'], {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_AUTH_URL: tlsServer.url.replace('https://', 'http://'),
      JEELINKY_PACE_MS: '0',
      JEELINKY_RETRY_BASE_MS: '2000',
    });
    expect(r.line).toContain('JEELINKY_AUTH_URL');
    expect(r.line).toContain('write https:// instead of http://');
    expect(r.seconds).toBeLessThan(10); // two retries after 2 s and 8 s would take 10 s
  });

  it('JEELINKY_AUTH_URL on a server whose certificate cannot be verified: 78 naming it and NODE_EXTRA_CA_CERTS, nothing sent', async () => {
    const before = tlsServer.requests;
    const r = await refused(['run', '--code'], {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_AUTH_URL: tlsServer.url,
      JEELINKY_PACE_MS: '0',
    });
    expect(r.line).toContain('JEELINKY_AUTH_URL');
    expect(r.line).toContain('NODE_EXTRA_CA_CERTS');
    expect(tlsServer.requests).toBe(before);
  });

  it('JEELINKY_API_URL https:// on the simulator: the metering call names JEELINKY_API_URL', async () => {
    const r = await refused(['run', '--daily-consumption', '--since', '2024-11-01'], {
      JEELINKY_STATE_DIR: h.config.stateDir,
      JEELINKY_AUTH_URL: h.sim.url,
      JEELINKY_API_URL: h.sim.url.replace('http://', 'https://'),
      JEELINKY_PACE_MS: '0',
    });
    expect(r.line).toContain('JEELINKY_API_URL');
    expect(r.line).toContain('write http:// instead of https://');
  });

  it('JEELINKY_JEEDOM_URL https:// on the (plain HTTP) Jeedom simulator, or http:// on an HTTPS port: 78 naming it', async () => {
    const env = { JEELINKY_STATE_DIR: h.config.stateDir, JEELINKY_JEEDOM_APIKEY: jeedom.apikey, JEELINKY_USAGE_POINT_ID: PDL };
    const tlsOnPlain = await refused(['jeedom', 'setup'], { ...env, JEELINKY_JEEDOM_URL: jeedom.url.replace('http://', 'https://') }, [
      jeedom.apikey,
    ]);
    expect(tlsOnPlain.line).toContain('JEELINKY_JEEDOM_URL');
    expect(tlsOnPlain.line).toContain('write http:// instead of https://');
    expect(tlsOnPlain.seconds).toBeLessThan(10);

    const plainOnTls = await refused(['jeedom', 'setup'], { ...env, JEELINKY_JEEDOM_URL: tlsServer.url.replace('https://', 'http://') }, [
      jeedom.apikey,
    ]);
    expect(plainOnTls.line).toContain('JEELINKY_JEEDOM_URL');
    expect(plainOnTls.line).toContain('write https:// instead of http://');
    expect(plainOnTls.seconds).toBeLessThan(10);

    const untrusted = await refused(['jeedom', 'setup'], { ...env, JEELINKY_JEEDOM_URL: tlsServer.url }, [jeedom.apikey]);
    expect(untrusted.line).toContain('JEELINKY_JEEDOM_URL');
    expect(untrusted.line).toContain('NODE_EXTRA_CA_CERTS');
  });
});
