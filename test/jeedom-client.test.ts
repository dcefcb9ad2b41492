/**
 * The JSON-RPC client over real sockets: URL forms, error mapping and exit codes, bounded retries
 * only when safe, the API key never in errors, and command names with accents and ambiguity.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, ExitCode, type TemporaryError } from '../plugin/errors.js';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { jeedomEndpoint } from '../plugin/jeedom/rpc.js';
import {
  JeedomAmbiguousError,
  JeedomAuthError,
  JeedomMethodError,
  JeedomNotFoundError,
  JeedomProtocolError,
  JeedomUnavailableError,
} from '../plugin/jeedom/errors.js';
import { resolveCmd, resolveEquipment } from '../plugin/jeedom/names.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';

let sim: JeedomSimulator;
let client: JeedomClient;
beforeEach(async () => {
  sim = await startJeedomSimulator();
  client = new JeedomClient({ url: sim.url, apikey: sim.apikey, retryDelayMs: 1, timeoutMs: 2000 });
});
afterEach(async () => {
  client.close();
  await sim.close();
});

async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

function expectNoKey(err: Error, key: string) {
  const all = [
    err.message,
    String(err),
    err.stack ?? '',
    JSON.stringify(err),
    JSON.stringify((err as { summary?: unknown }).summary ?? null),
  ].join('\n');
  expect(all).not.toContain(key);
  expect(all).not.toContain(key.slice(0, 16));
  expect(err.cause).toBeUndefined();
}

/** A closed port: connection refused. */
async function deadUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('URL', () => {
  it('accepts the base URL as users know it, or the full endpoint, and drops query strings', () => {
    expect(jeedomEndpoint('http://192.168.1.20')).toBe('http://192.168.1.20/core/api/jeeApi.php');
    expect(jeedomEndpoint('https://jeedom.example/')).toBe('https://jeedom.example/core/api/jeeApi.php');
    expect(jeedomEndpoint('http://box:8080/jeedom/core/api/jeeApi.php')).toBe('http://box:8080/jeedom/core/api/jeeApi.php');
    expect(jeedomEndpoint('http://box/core/api/jeeApi.php?apikey=secret')).toBe('http://box/core/api/jeeApi.php');
    expect(jeedomEndpoint('192.168.1.20')).toBe('http://192.168.1.20/core/api/jeeApi.php');
    expect(() => jeedomEndpoint('ftp://box')).toThrow(ConfigError);
    expect(() => jeedomEndpoint('')).toThrow(/JEELINKY_JEEDOM_URL/);
  });

  it('works with either form against the simulator', async () => {
    const full = new JeedomClient({ url: sim.endpoint, apikey: sim.apikey });
    expect(await full.version()).toBe('4.5.3');
    full.close();
  });

  it('says to check the URL on a 404 (wrong path prefix)', async () => {
    const wrong = new JeedomClient({ url: `${sim.url}/jeedom`, apikey: sim.apikey });
    const err = await caught(wrong.version());
    wrong.close();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/HTTP 404.*JEELINKY_JEEDOM_URL/);
  });
});

describe('errors', () => {
  it('maps a bad API key to JeedomAuthError (exit 78) without the key', async () => {
    const key = 'Wr0ngKeyWr0ngKeyWr0ngKey-very-secret';
    const bad = new JeedomClient({ url: sim.url, apikey: key });
    const err = await caught(bad.version());
    bad.close();
    expect(err).toBeInstanceOf(JeedomAuthError);
    expect((err as JeedomAuthError).exitCode).toBe(ExitCode.ACTION_NEEDED);
    expect(err.message).toMatch(/refused the API key/);
    expectNoKey(err, key);
    expect(sim.methodCounts().version).toBe(1); // not retried
  });

  it('maps an unknown method and an unknown id', async () => {
    const m = await caught(client.call('cmd::doesNotExist'));
    expect(m).toBeInstanceOf(JeedomMethodError);
    expect(m.message).toMatch(/Jeedom 4\.0 or later/);
    const n = await caught(client.cmdById(4242));
    expect(n).toBeInstanceOf(JeedomNotFoundError);
    expect((n as JeedomNotFoundError).rpcCode).toBe(701);
    expectNoKey(m, sim.apikey);
    expectNoKey(n, sim.apikey);
  });

  it('maps Jeedom down to JeedomUnavailableError (exit 75) without the key', async () => {
    const key = 'AnotherSecretKey-0123456789abcdef';
    const down = new JeedomClient({ url: await deadUrl(), apikey: key, retryDelayMs: 1 });
    const err = await caught(down.version());
    down.close();
    expect(err).toBeInstanceOf(JeedomUnavailableError);
    expect((err as TemporaryError).exitCode).toBe(ExitCode.TEMPORARY);
    expect(err.message).toMatch(/unreachable \(ECONNREFUSED\)/);
    expect(down.requestCount).toBe(3); // refused before PHP ran: retried, bounded
    expectNoKey(err, key);
  });

  it('maps a timeout to jeedom_timeout and an HTML page to a protocol error', async () => {
    const slow = new JeedomClient({ url: sim.url, apikey: sim.apikey, timeoutMs: 150, retries: 0 });
    sim.setFault({ kind: 'timeout' });
    const t = await caught(slow.version());
    expect(t).toBeInstanceOf(JeedomUnavailableError);
    expect((t as JeedomUnavailableError).code).toBe('jeedom_timeout');
    sim.setFault({ kind: 'html' });
    const h = await caught(slow.version());
    expect(h).toBeInstanceOf(JeedomProtocolError);
    expect(h.message).toMatch(/HTML page/);
    sim.setFault({ kind: 'http500' });
    const e5 = await caught(slow.version());
    expect(e5).toBeInstanceOf(JeedomUnavailableError);
    slow.close();
    expectNoKey(t, sim.apikey);
    expectNoKey(h, sim.apikey);
  });

  it('retries a read after a reset, but never an eqLogic::save (it would duplicate the device)', async () => {
    sim.setFault({ kind: 'reset', count: 1 });
    expect(await client.version()).toBe('4.5.3');
    expect(sim.methodCounts().version).toBe(2);
    sim.setFault({ kind: 'reset', count: 1, method: 'eqLogic::save' });
    const err = await caught(client.saveEqLogic({ name: 'Linky' }));
    expect(err).toBeInstanceOf(JeedomUnavailableError);
    expect(sim.methodCounts()['eqLogic::save']).toBe(1);
    expect(sim.eqLogics()).toHaveLength(0);
  });

  it('refuses to send a datetime that is not YYYY-MM-DD HH:MM:SS', async () => {
    const e = sim.addEqLogic({ name: 'x' });
    const c = sim.addCmd({ eqLogic_id: e.id, name: 'v', isHistorized: '1' });
    await expect(client.event(c.id, 1, '2026-11-15T12:00:00+01:00')).rejects.toThrow(/YYYY-MM-DD HH:MM:SS/);
    await expect(client.event(c.id, 1, '1700000000')).rejects.toThrow(ConfigError);
    expect(sim.methodCounts()['cmd::event']).toBeUndefined();
    expect(sim.currentValue(c.id)).toBeUndefined();
  });

  it("reads the box's timezone, and Jeedom's default when unset", async () => {
    expect(await client.timezone()).toBe('Europe/Paris');
    sim.setConfig('timezone', null);
    const other = new JeedomClient({ url: sim.url, apikey: sim.apikey });
    expect(await other.timezone()).toBe('Europe/Brussels');
    other.close();
  });
});

describe('command names', () => {
  function seedDevice() {
    const o = sim.addObject({ name: 'Automatismes généraux' });
    const e = sim.addEqLogic({ name: 'EnedisDomoticz', object_id: o.id });
    const value = sim.addCmd({ eqLogic_id: e.id, name: 'value' });
    const max = sim.addCmd({ eqLogic_id: e.id, name: 'maxPower' });
    const conso = sim.addCmd({ eqLogic_id: e.id, name: 'Consommation journalière' });
    return { o, e, value, max, conso };
  }

  it('resolves #[Objet][Équipement][Commande]# with accents and spaces, loosely when unique, or by id', async () => {
    const { value, conso, max } = seedDevice();
    expect((await resolveCmd(client, '#[Automatismes généraux][EnedisDomoticz][value]#')).cmd.id).toBe(value.id);
    expect((await resolveCmd(client, '[automatismes  generaux][enedisdomoticz][CONSOMMATION JOURNALIERE]')).cmd.id).toBe(conso.id);
    const byId = await resolveCmd(client, String(max.id));
    expect(byId.humanName).toBe('#[Automatismes généraux][EnedisDomoticz][maxPower]#');
    expect((await resolveEquipment(client, '[Automatismes généraux][EnedisDomoticz]')).eqLogic.name).toBe('EnedisDomoticz');
  });

  it('lists close matches when nothing matches', async () => {
    seedDevice();
    const err = (await caught(resolveCmd(client, '#[Automatismes généraux][EnedisDomoticz][maxPowr]#'))) as JeedomNotFoundError;
    expect(err).toBeInstanceOf(JeedomNotFoundError);
    expect(err.message).toContain('close matches: #[Automatismes généraux][EnedisDomoticz][maxPower]#');
    const eq = (await caught(resolveCmd(client, '#[Automatismes généraux][EnedisDomotic][value]#'))) as JeedomNotFoundError;
    expect(eq.suggestions).toEqual(['[Automatismes généraux][EnedisDomoticz]']);
  });

  it('reports ambiguity with ids (devices without object can share a name)', async () => {
    const a = sim.addEqLogic({ name: 'Linky' });
    const b = sim.addEqLogic({ name: 'Linky' });
    const ca = sim.addCmd({ eqLogic_id: a.id, name: 'value' });
    const cb = sim.addCmd({ eqLogic_id: b.id, name: 'value' });
    const err = (await caught(resolveCmd(client, '#[Aucun][Linky][value]#'))) as JeedomAmbiguousError;
    expect(err).toBeInstanceOf(JeedomAmbiguousError);
    expect(err.message).toContain(`(id ${ca.id})`);
    expect(err.message).toContain(`(id ${cb.id})`);
    expect(err.message).toMatch(/numeric id/);
    await expect(resolveEquipment(client, '[Aucun][Linky]')).rejects.toBeInstanceOf(JeedomAmbiguousError);
  });

  it('prefers an exact name over a loose one', async () => {
    const e = sim.addEqLogic({ name: 'Eq' });
    const exact = sim.addCmd({ eqLogic_id: e.id, name: 'Énergie' });
    sim.addCmd({ eqLogic_id: e.id, name: 'energie' });
    expect((await resolveCmd(client, '#[Aucun][Eq][Énergie]#')).cmd.id).toBe(exact.id);
    await expect(resolveCmd(client, '#[Aucun][Eq][ENERGIE]#')).rejects.toBeInstanceOf(JeedomAmbiguousError);
  });

  it('rejects malformed names clearly', async () => {
    await expect(resolveCmd(client, '[a][b]')).rejects.toThrow(/#\[Objet\]\[Équipement\]\[Commande\]#/);
  });
});
