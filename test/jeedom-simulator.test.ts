/**
 * The Jeedom simulator against the facts docs/jeedom-api.md marks [checked], spoken to over raw HTTP so that the
 * wire shapes (envelope, "ok", codes, HTTP 200) are what is checked, not the client's reading of them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startJeedomSimulator, type JeedomSimulator, SIM_DEFAULT_APIKEY } from '../simulators/jeedom.js';

let sim: JeedomSimulator;
let clockMs = Date.parse('2026-11-15T10:00:00Z');
const clock = { now: () => new Date(clockMs) };

async function post(body: unknown, init: { raw?: string; path?: string } = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(sim.url + (init.path ?? '/core/api/jeeApi.php'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: init.raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const rpc = async (method: string, params: Record<string, unknown> = {}, apikey: string | undefined = SIM_DEFAULT_APIKEY) =>
  (await post({ jsonrpc: '2.0', id: 7, method, params: apikey === undefined ? params : { apikey, ...params } })).json;

function device(historizeMode?: string) {
  const o = sim.addObject({ name: 'Maison' });
  const e = sim.addEqLogic({ name: 'Compteur', object_id: o.id });
  const configuration: Record<string, unknown> = {};
  if (historizeMode) configuration.historizeMode = historizeMode;
  const c = sim.addCmd({ eqLogic_id: e.id, name: 'conso', subType: 'numeric', isHistorized: '1', configuration });
  return { o, e, c };
}

beforeEach(async () => {
  clockMs = Date.parse('2026-11-15T10:00:00Z');
  sim = await startJeedomSimulator({ clock });
});
afterEach(async () => {
  await sim.close();
});

describe('envelope and errors', () => {
  it('answers ping without key, echoes the id, and uses 99999 when the id is missing', async () => {
    expect(await rpc('ping', {}, undefined)).toEqual({ jsonrpc: '2.0', id: 7, result: 'pong' });
    const r = await post({ jsonrpc: '2.0', method: 'ping' });
    expect(r.json.id).toBe(99999);
  });

  it('maps bad version, batch, bad JSON, missing/wrong/short keys and unknown methods to the wire codes, always HTTP 200', async () => {
    const cases: [unknown, number, RegExp, string?][] = [
      [{ jsonrpc: '1.0', id: 1, method: 'version', params: { apikey: SIM_DEFAULT_APIKEY } }, 1, /Version JSON-RPC invalide/],
      [[{ jsonrpc: '2.0', id: 1, method: 'ping' }], 1, /Version JSON-RPC invalide/],
      [undefined, 1, /Version JSON-RPC invalide/, '{not json'],
      [{ jsonrpc: '2.0', id: 1, method: 'version', params: {} }, 1, /pas autorisé/],
      [{ jsonrpc: '2.0', id: 1, method: 'version', params: { apikey: 'x'.repeat(40) } }, 2, /pas autorisé/],
      [{ jsonrpc: '2.0', id: 1, method: 'version', params: { apikey: SIM_DEFAULT_APIKEY.slice(0, 15) } }, 2, /pas autorisé/],
      [
        { jsonrpc: '2.0', id: 1, method: 'nope::x', params: { apikey: SIM_DEFAULT_APIKEY } },
        500,
        /Aucune méthode correspondante : nope::x/,
      ],
    ];
    for (const [body, code, msg, raw] of cases) {
      const r = await post(body, { raw });
      expect(r.status).toBe(200);
      expect(r.json.error.code).toBe(code);
      expect(r.json.error.message).toMatch(msg);
    }
    const bad = await post(undefined, { raw: '{not json' });
    expect(bad.json.id).toBe(99999);
  });

  it('accepts the api alias, params as a JSON string, and the request= field by GET and form POST', async () => {
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'version', params: { api: SIM_DEFAULT_APIKEY } })).json.result).toBe('4.5.3');
    expect(
      (await post({ jsonrpc: '2.0', id: 1, method: 'version', params: JSON.stringify({ apikey: SIM_DEFAULT_APIKEY }) })).json.result,
    ).toBe('4.5.3');
    const request = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'version', params: { apikey: SIM_DEFAULT_APIKEY } });
    const get = await fetch(`${sim.endpoint}?request=${encodeURIComponent(request)}`);
    expect(await get.json()).toMatchObject({ id: 3, result: '4.5.3' });
    const form = await fetch(sim.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ request }).toString(),
    });
    expect(await form.json()).toMatchObject({ id: 3, result: '4.5.3' });
  });

  it('answers "ok" for PHP-empty results and the not-found codes per method', async () => {
    const { c } = device();
    expect((await rpc('cmd::getHistory', { id: c.id })).result).toBe('ok');
    expect((await rpc('config::byKey', { key: 'does_not_exist' })).result).toBe('ok');
    expect((await rpc('config::byKey', { key: 'timezone' })).result).toBe('Europe/Paris');
    expect((await rpc('cmd::byId', { id: 999 })).error.code).toBe(701);
    expect((await rpc('cmd::event', { id: 999, value: 1 })).error.code).toBe(702);
    expect((await rpc('cmd::getHistory', { id: 999 })).error).toMatchObject({ code: 702, message: 'Commande introuvable : 999' });
    expect((await rpc('eqLogic::byId', { id: 999 })).error.code).toBe(602);
    expect((await rpc('jeeObject::byId', { id: 999 })).error.code).toBe(601);
  });

  it('returns numeric ids from byId and string ids from save; empty configuration as []', async () => {
    const saved = (await rpc('jeeObject::save', { name: 'Salon' })).result;
    expect(saved.id).toBe('1');
    expect(saved.configuration).toEqual([]);
    expect((await rpc('jeeObject::byId', { id: 1 })).result.id).toBe(1);
  });
});

describe('eqLogic::save and cmd::save', () => {
  it('creates a virtual with its commands and a Rafraichir action; a second save without id duplicates it', async () => {
    const params = { eqType_name: 'virtual', name: 'Linky', isEnable: 1, cmd: [{ name: 'a', type: 'info', subType: 'numeric' }] };
    const first = (await rpc('eqLogic::save', params)).result;
    const second = (await rpc('eqLogic::save', params)).result;
    expect(first.id).not.toBe(second.id);
    expect(sim.eqLogics().filter((e) => e.name === 'Linky')).toHaveLength(2);
    expect(
      sim
        .cmds(Number(first.id))
        .map((c) => c.logicalId)
        .sort(),
    ).toEqual(['', 'refresh']);
  });

  it('refuses a duplicate name under the same object, and a non-virtual type', async () => {
    const o = sim.addObject({ name: 'Maison' });
    await rpc('eqLogic::save', { eqType_name: 'virtual', name: 'Linky', object_id: o.id });
    expect((await rpc('eqLogic::save', { eqType_name: 'virtual', name: 'Linky', object_id: o.id })).error.code).toBe(-32000);
    expect((await rpc('eqLogic::save', { eqType_name: 'nosuchplugin', name: 'X' })).error.message).toMatch(/Type incorrect/);
  });

  it('with a partial cmd list deletes the omitted commands and their history (refresh excepted)', async () => {
    const { e, c } = device();
    const keep = sim.addCmd({ eqLogic_id: e.id, name: 'keep' });
    sim.addHistory(c.id, [{ datetime: '2026-11-14 10:00:00', value: 5 }]);
    await rpc('eqLogic::save', { eqType_name: 'virtual', id: e.id, cmd: [{ id: keep.id }] });
    expect(sim.cmd(c.id)).toBeUndefined();
    expect(sim.history(c.id)).toEqual([]);
    expect(sim.cmd(keep.id)).toBeDefined();
    expect(sim.cmdByLogicalId(e.id, 'refresh')).toBeDefined();
  });

  it('cmd::save merges configuration keys and removes a key sent as null', async () => {
    const { c } = device();
    await rpc('cmd::save', { id: c.id, configuration: { historizeMode: 'none', minValue: 0 } });
    await rpc('cmd::save', { id: c.id, configuration: { historyPurge: 'never', minValue: null } });
    expect(sim.cmd(c.id)!.configuration).toEqual({ historizeMode: 'none', historyPurge: 'never' });
  });

  it('cmd::save without id needs eqType_name and eqLogic_id, and refuses a duplicate name', async () => {
    const { e } = device();
    const r = (await rpc('cmd::save', { eqType_name: 'virtual', eqLogic_id: e.id, name: 'new', type: 'info', subType: 'string' })).result;
    expect(typeof r.id).toBe('string');
    expect(
      (await rpc('cmd::save', { eqType_name: 'virtual', eqLogic_id: e.id, name: 'new', type: 'info', subType: 'string' })).error.message,
    ).toMatch(/Duplicate entry/);
  });
});

describe('cmd::event', () => {
  it('accepts an older datetime, makes it the current value, and replaces a second write at the same datetime', async () => {
    const { c } = device('none');
    await rpc('cmd::event', { id: c.id, value: 21.25, datetime: '2026-11-15 10:30:00' });
    await rpc('cmd::event', { id: c.id, value: 19, datetime: '2026-11-15 09:30:00' });
    expect((await rpc('cmd::execCmd', { id: c.id })).result).toEqual({ value: 19, collectDate: '2026-11-15 09:30:00' });
    await rpc('cmd::event', { id: c.id, value: '30', datetime: '2026-11-15 10:30:00' });
    expect(sim.history(c.id).map((r) => [r.datetime, r.value])).toEqual([
      ['2026-11-15 09:30:00', '19'],
      ['2026-11-15 10:30:00', '30'],
    ]);
  });

  it('fails an ISO datetime with offset after changing the current value, and stores an epoch as garbage', async () => {
    const { c } = device('none');
    const iso = await rpc('cmd::event', { id: c.id, value: 42, datetime: '2026-11-15T12:00:00+01:00' });
    expect(iso.error.code).toBe(-32000);
    expect(iso.error.message).toMatch(/1292/);
    expect(sim.currentValue(c.id)!.value).toBe(42);
    expect(sim.history(c.id)).toEqual([]);
    await rpc('cmd::event', { id: c.id, value: 5, datetime: '1700000000' });
    expect(sim.history(c.id).map((r) => r.datetime)).toEqual(['2017-00-00 00:00:00']);
  });

  it('formats numeric values: comma, clamping to maxValue, non-numeric to 0, missing to 0', async () => {
    const { c } = device('none');
    await rpc('cmd::save', { id: c.id, configuration: { maxValue: 100 } });
    await rpc('cmd::event', { id: c.id, value: '22,125', datetime: '2026-11-15 01:00:00' });
    await rpc('cmd::event', { id: c.id, value: 150, datetime: '2026-11-15 02:00:00' });
    await rpc('cmd::event', { id: c.id, value: 'abc', datetime: '2026-11-15 03:00:00' });
    await rpc('cmd::event', { id: c.id, datetime: '2026-11-15 04:00:00' });
    expect(sim.history(c.id).map((r) => r.value)).toEqual(['22.125', '100', '0', '0']);
  });

  it('on a disabled device answers "ok" and drops the write', async () => {
    const { e, c } = device('none');
    sim.setEnabled(e.id, false);
    expect((await rpc('cmd::event', { id: c.id, value: 3, datetime: '2026-11-15 01:00:00' })).result).toBe('ok');
    expect(sim.history(c.id)).toEqual([]);
    expect(sim.currentValue(c.id)).toBeUndefined();
  });

  it('fires triggers on every point with repeatEventManagement=always, not on repeats otherwise', async () => {
    const { c } = device('none');
    for (const h of ['01', '02', '03']) await rpc('cmd::event', { id: c.id, value: 7, datetime: `2026-11-15 ${h}:00:00` });
    expect(sim.triggerCount(c.id)).toBe(1);
    expect(sim.history(c.id)).toHaveLength(3);
    await rpc('cmd::save', { id: c.id, configuration: { repeatEventManagement: 'always' } });
    for (const h of ['04', '05']) await rpc('cmd::event', { id: c.id, value: 7, datetime: `2026-11-15 ${h}:00:00` });
    expect(sim.triggerCount(c.id)).toBe(3);
  });
});

describe('archive and statistics', () => {
  it('averages hourly at MIN(datetime) when historizeMode is unset, keeps rows with none', async () => {
    const unset = device();
    const none = sim.addCmd({ eqLogic_id: unset.e.id, name: 'raw', isHistorized: '1', configuration: { historizeMode: 'none' } });
    const rows = [
      { datetime: '2026-11-15 10:00:00', value: 10 },
      { datetime: '2026-11-15 10:30:00', value: 10 },
      { datetime: '2026-11-15 11:00:00', value: 12 },
      { datetime: '2026-11-15 11:30:00', value: 14 },
    ];
    for (const r of rows) {
      await rpc('cmd::event', { id: unset.c.id, value: r.value, datetime: r.datetime });
      await rpc('cmd::event', { id: none.id, value: r.value, datetime: r.datetime });
    }
    clockMs = Date.parse('2026-11-16T04:30:00Z'); // 05:30 Paris: the cron has passed
    await rpc('version');
    expect(sim.history(unset.c.id).map((r) => [r.datetime, r.value, r.table])).toEqual([
      ['2026-11-15 10:00:00', '10.000000000', 'historyArch'],
      ['2026-11-15 11:00:00', '13.000000000', 'historyArch'],
    ]);
    expect(sim.history(none.id).map((r) => r.value)).toEqual(['10', '10', '12', '14']);
    expect(sim.history(none.id).every((r) => r.table === 'historyArch')).toBe(true);
  });

  it('counts an archived point twice when it is re-sent, until the next archive', async () => {
    const { c } = device('none');
    for (const [dt, v] of [
      ['2026-11-15 01:00:00', 1],
      ['2026-11-15 02:00:00', 2],
    ] as const)
      await rpc('cmd::event', { id: c.id, value: v, datetime: dt });
    sim.runArchive();
    await rpc('cmd::event', { id: c.id, value: 2, datetime: '2026-11-15 02:00:00' });
    const stats = (await rpc('cmd::getStatistique', { id: c.id, startTime: '2026-11-15 00:00:00', endTime: '2026-11-15 23:59:59' })).result;
    expect(stats.count).toBe(3);
    expect(stats.sum).toBe('5.00');
    expect((await rpc('cmd::getHistory', { id: c.id })).result).toHaveLength(3);
  });

  it('computes statistics on 2-decimal values with inclusive bounds; empty ranges have no last', async () => {
    const { c } = device('none');
    const values = [20.5, 21.25, 22.125, 19];
    for (let i = 0; i < values.length; i++) await rpc('cmd::event', { id: c.id, value: values[i], datetime: `2026-11-15 0${i}:00:00` });
    const s = (await rpc('cmd::getStatistique', { id: c.id, startTime: '2026-11-15 00:00:00', endTime: '2026-11-15 03:00:00' })).result;
    expect(s).toMatchObject({ avg: '20.720000', min: '19.00', max: '22.13', sum: '82.88', count: 4, last: '19' });
    const empty = (await rpc('cmd::getStatistique', { id: c.id, startTime: '-10 days', endTime: '2026-11-15 03:00:00' })).result;
    expect(empty).toEqual({ avg: null, min: null, max: null, sum: null, count: 0, std: null, variance: null });
    const day = (await rpc('cmd::getStatistique', { id: c.id, startTime: '2026-11-15', endTime: '2026-11-15 01:00:00' })).result;
    expect(day.count).toBe(2);
  });

  it('smooths to 5 minutes on a pre-4.4.7 box, averaging pairwise and moving zeros', async () => {
    await sim.close();
    sim = await startJeedomSimulator({ clock, coreVersion: '4.4.6' });
    const { c } = device();
    for (const [m, v] of [
      ['01', 10],
      ['02', 20],
      ['03', 40],
      ['04', 0],
      ['06', 5],
    ] as const) {
      await rpc('cmd::event', { id: c.id, value: v, datetime: `2026-11-15 10:${m}:00` });
    }
    expect(sim.history(c.id).map((r) => [r.datetime, r.value])).toEqual([
      ['2026-11-15 10:00:00', '27.5'],
      ['2026-11-15 10:05:00', '2.5'],
    ]);
  });

  it('purges by historyPurge at archive time', async () => {
    const { c } = device('none');
    await rpc('cmd::save', { id: c.id, configuration: { historyPurge: '-1 month' } });
    sim.addHistory(c.id, [
      { datetime: '2026-09-01 00:00:00', value: 1 },
      { datetime: '2026-11-01 00:00:00', value: 2 },
    ]);
    sim.runArchive();
    expect(sim.history(c.id).map((r) => r.value)).toEqual(['2']);
  });
});

describe('control', () => {
  it('counts requests per method and injects faults for a number of requests', async () => {
    await rpc('version');
    await rpc('version');
    await rpc('ping', {}, undefined);
    expect(sim.methodCounts()).toEqual({ version: 2, ping: 1 });
    sim.setFault({ kind: 'html', count: 1 });
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' })).json).toMatch(/<html>/i);
    expect((await rpc('ping', {}, undefined)).result).toBe('pong');
    expect(sim.requestCount()).toBe(5);
    expect((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { path: '/jeedom/core/api/jeeApi.php' })).status).toBe(404);
  });
});
