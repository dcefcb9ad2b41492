/**
 * The Jeedom plugin's batch history method (jeedom-plugin/core/api/jeelinky.api.php) on a REAL
 * Jeedom 4.5.3 core (../shared/jeedom): jeelinky::writeHistory writes exactly the rows one cmd::event
 * per point writes (two commands with identical settings, compared row by row, before and after
 * Jeedom's archive), refuses bad input in one clear error, sets a current value without a history
 * row; and the CLI's run uses it when the plugin is installed, with the same history as without.
 *
 * Box slot 1 has the plugin; box slot 2 never gets it (the cmd::event fallback). The plugin folder is
 * installed from a temporary copy of jeedom-plugin/ (the kit installs a plugin without its class file
 * too, so nothing is added to the copy).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import type { JeedomRpcError } from '../plugin/jeedom/errors.js';
import { startEnedisSimulator, type EnedisSimulator } from '../simulators/enedis.js';
import { cliEnv, PDL, ROOT, runCli, tempDir } from './support/core.js';
import { realJeedomMissing, startRealJeedom, type RealJeedom } from './support/real-jeedom.js';

if (realJeedomMissing) console.warn(`jeedom-batch.test.ts: ${realJeedomMissing}`);

const HISTORY_SETTINGS = { historizeMode: 'none', repeatEventManagement: 'always', historyPurge: '' };
type Row = { datetime: string; value: string };

/** A copy of the plugin folder as it is in the repository (what install-plugin.sh takes). */
function pluginCopy(): string {
  const dir = tempDir('jeelinky-plugin-');
  fs.cpSync(path.join(ROOT, 'jeedom-plugin'), path.join(dir, 'jeelinky'), { recursive: true });
  return path.join(dir, 'jeelinky');
}

describe.skipIf(Boolean(realJeedomMissing))('jeelinky::writeHistory on a real Jeedom 4.5.3 core', () => {
  let box: RealJeedom;
  let client: JeedomClient;
  let copy: string;
  let ids: { a: number; b: number; notHistorized: number; action: number };

  beforeAll(async () => {
    box = startRealJeedom(1);
    box.reset();
    copy = pluginCopy();
    box.installPlugin(copy);
    client = new JeedomClient({ url: box.url, apikey: box.apikey, retryDelayMs: 1 });
    const cmd = (name: string, isHistorized = 1) => ({
      name,
      type: 'info',
      subType: 'numeric',
      isHistorized,
      configuration: HISTORY_SETTINGS,
    });
    const eq = await client.call<{ id: string }>('eqLogic::save', {
      eqType_name: 'virtual',
      name: 'batch',
      isEnable: 1,
      cmd: [cmd('a'), cmd('b'), cmd('plain', 0)],
    });
    const cmds = await client.cmdsByEqLogic(Number(eq.id));
    const id = (n: string) => cmds.find((c) => c.name === n)!.id;
    // The virtual plugin adds its own action command (Rafraichir).
    ids = { a: id('a'), b: id('b'), notHistorized: id('plain'), action: cmds.find((c) => c.type === 'action')!.id };
  }, 600_000);

  afterAll(() => {
    client?.close();
    if (copy) fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  });

  const rows = async (id: number): Promise<Row[]> =>
    (await client.history(id, '2000-01-01 00:00:00', '2100-01-01 00:00:00')).map((r) => ({ datetime: r.datetime, value: r.value }));
  const batch = (params: Record<string, unknown>) =>
    client.call<Record<string, unknown>>('jeelinky::writeHistory', { plugin: 'jeelinky', ...params });
  const refusal = async (params: Record<string, unknown>) => {
    const err = await batch(params).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  };

  it('answers jeelinky::version with the core key and with the plugin key; a wrong key is refused', async () => {
    expect(await client.batchSupport()).toEqual({ api: 1, maxPoints: 10000 });
    // The plugin's own key (jeedom::getApiKey('jeelinky'), created on first use) is accepted too.
    const pluginKey = await client.configByKey('api', 'jeelinky');
    expect(pluginKey).toMatch(/^[A-Za-z0-9]{20,}$/);
    const withPluginKey = new JeedomClient({ url: box.url, apikey: pluginKey!, retries: 0 });
    expect(await withPluginKey.batchSupport()).toMatchObject({ api: 1 });
    withPluginKey.close();
    const wrong = new JeedomClient({ url: box.url, apikey: 'notTheKey0123456789abcdef', retries: 0 });
    await expect(wrong.batchSupport()).rejects.toThrow(/refused the API key/);
    wrong.close();
  });

  it('refuses bad input in one clear error and writes nothing', async () => {
    const p = (over: Record<string, unknown>) => ({ points: [{ cmd_id: ids.a, datetime: '2025-01-01 00:00:00', value: 1, ...over }] });
    expect(await refusal(p({ cmd_id: 999999 }))).toMatch(/points\[0\]: command 999999 not found/);
    expect(await refusal(p({ cmd_id: ids.action }))).toMatch(/is not a numeric or binary info command/);
    expect(await refusal(p({ cmd_id: ids.notHistorized }))).toMatch(/is not historised: tick "Historiser"/);
    expect(await refusal(p({ datetime: '2025-02-30 00:00:00' }))).toMatch(
      /datetime "2025-02-30 00:00:00" must be "YYYY-MM-DD HH:MM:SS" in the box's time zone \(Europe\/Paris\)/,
    );
    expect(await refusal(p({ datetime: '2025-01-01T00:00:00+01:00' }))).toMatch(/must be "YYYY-MM-DD HH:MM:SS"/);
    expect(await refusal(p({ value: 'abc' }))).toMatch(/value "abc" is not a number/);
    expect(await refusal({ points: 'x' })).toMatch(/params.points must be a list/);
    const many = Array.from({ length: 10001 }, (_, i) => ({
      cmd_id: ids.a,
      datetime: `2025-01-01 00:00:${String(i % 60).padStart(2, '0')}`,
      value: i,
    }));
    expect(await refusal({ points: many })).toMatch(/10001 points in one call, at most 10000: split them/);
    // One bad point refuses the whole call: the good one before it is not written.
    expect(
      await refusal({
        points: [
          { cmd_id: ids.a, datetime: '2025-01-01 00:00:00', value: 1 },
          { cmd_id: ids.a, datetime: 'bad', value: 2 },
        ],
      }),
    ).toMatch(/points\[1\]/);
    expect(await rows(ids.a)).toEqual([]);
    const err = await batch(p({ value: 'abc' })).catch((e: unknown) => e);
    expect((err as JeedomRpcError).rpcCode).toBe(-32602);
  });

  it('writes exactly the rows of one cmd::event per point: DST hours, a REPLACE, comma decimals, before and after the archive', async () => {
    // Old enough to be archived (rows older than 2 h move to historyArch); the autumn 02:00–02:59
    // local hour twice (same naive datetime: REPLACE, the last wins), the spring gap, a REPLACE.
    const points: { datetime: string; value: number | string }[] = [
      { datetime: '2025-03-30 01:30:00', value: 100 },
      { datetime: '2025-03-30 02:30:00', value: 101.25 }, // does not exist locally: kept as given, like cmd::event
      { datetime: '2025-03-30 03:00:00', value: '102,5' },
      { datetime: '2025-10-26 02:00:00', value: 412.5 },
      { datetime: '2025-10-26 02:30:00', value: 300.123456 },
      { datetime: '2025-10-26 02:00:00', value: 398 }, // second 02:00 (after the clocks went back)
      { datetime: '2025-10-26 02:30:00', value: 0 },
      { datetime: '2025-10-26 03:00:00', value: -5 },
    ];
    const res = await batch({ points: points.map((p) => ({ cmd_id: ids.a, ...p })) });
    expect(res).toMatchObject({ written: 6, dropped: 0 }); // 8 points, 6 distinct datetimes
    for (const p of points) await client.call('cmd::event', { id: ids.b, ...p });
    const a1 = await rows(ids.a);
    expect(a1).toHaveLength(6);
    expect(a1.find((r) => r.datetime === '2025-10-26 02:00:00')?.value).toBe('398');
    expect(a1).toEqual(await rows(ids.b));

    // A REPLACE of an existing datetime, both ways.
    await batch({ points: [{ cmd_id: ids.a, datetime: '2025-03-30 01:30:00', value: 111 }] });
    await client.event(ids.b, 111, '2025-03-30 01:30:00');
    const a2 = await rows(ids.a);
    expect(a2.find((r) => r.datetime === '2025-03-30 01:30:00')?.value).toBe('111');
    expect(a2).toEqual(await rows(ids.b));

    box.runArchive();
    const a3 = await rows(ids.a);
    expect(a3).toEqual(a2); // historizeMode none: moved to historyArch unchanged
    expect(a3).toEqual(await rows(ids.b));

    // After the archive: a point at an archived datetime and a new one, both ways.
    const after = [
      { datetime: '2025-10-26 03:00:00', value: 7 },
      { datetime: '2025-11-01 12:00:00', value: 8.5 },
    ];
    await batch({ points: after.map((p) => ({ cmd_id: ids.a, ...p })) });
    for (const p of after) await client.event(ids.b, p.value, p.datetime);
    const a4 = await rows(ids.a);
    expect(a4.length).toBeGreaterThan(a3.length);
    expect(a4).toEqual(await rows(ids.b));
    // Once more through the archive: still the same rows.
    box.runArchive();
    expect(await rows(ids.a)).toEqual(await rows(ids.b));
  }, 120_000);

  it('leaves the current value alone, and sets it without a history row when asked', async () => {
    const before = (await client.currentValues([ids.a])).get(ids.a)!;
    await batch({ points: [{ cmd_id: ids.a, datetime: '2024-01-01 00:00:00', value: 1 }] });
    expect((await client.currentValues([ids.a])).get(ids.a)).toEqual(before);
    const count = (await rows(ids.a)).length;
    const res = await batch({ points: [], current: { cmd_id: ids.a, value: 42.5, datetime: '2026-01-02 03:04:05' } });
    expect(res).toMatchObject({ written: 0, current: 1 });
    expect((await client.currentValues([ids.a])).get(ids.a)).toEqual({ value: 42.5, collectDate: '2026-01-02 03:04:05' });
    expect(
      await client.call('jeelinky::setCurrentValue', { plugin: 'jeelinky', cmd_id: ids.a, value: 43, datetime: '2026-01-02 03:34:05' }),
    ).toEqual({ current: 1 });
    expect((await client.currentValues([ids.a])).get(ids.a)).toEqual({ value: 43, collectDate: '2026-01-02 03:34:05' });
    expect(await rows(ids.a)).toHaveLength(count);
    expect((await rows(ids.a)).some((r) => r.datetime.startsWith('2026-01-02'))).toBe(false);
  });
});

describe.skipIf(Boolean(realJeedomMissing))('the CLI run with and without the Jeedom plugin (real Jeedom 4.5.3)', () => {
  let withPlugin: RealJeedom;
  let without: RealJeedom;
  let enedis: EnedisSimulator;
  const dirs: string[] = [];

  beforeAll(async () => {
    withPlugin = startRealJeedom(1);
    withPlugin.reset();
    const copy = pluginCopy();
    dirs.push(path.dirname(copy));
    withPlugin.installPlugin(copy);
    without = startRealJeedom(2);
    without.reset();
    enedis = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, autoApprove: { usagePoints: [PDL], afterPolls: 0 } });
  }, 600_000);

  afterAll(async () => {
    await enedis?.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** setup, pairing, then the daily run: its JSON and every historised command's rows and current value, by logicalId. */
  async function userPath(box: RealJeedom) {
    const stateDir = tempDir('jeelinky-batch-');
    dirs.push(stateDir);
    const env = cliEnv(enedis, stateDir, { JEELINKY_JEEDOM_URL: box.url, JEELINKY_JEEDOM_APIKEY: box.apikey });
    expect((await runCli(['jeedom', 'setup', '--json'], env)).code).toBe(0);
    expect((await runCli(['run', '--code'], env)).code).toBe(0);
    expect((await runCli(['run', '--first-connexion'], env)).code).toBe(0);
    const daily = await runCli(['run', '--json'], env);
    expect({ code: daily.code, stderr: daily.stderr }).toEqual({ code: 0, stderr: '' });
    const again = await runCli(['run', '--json'], env);
    expect(again.code).toBe(0);
    const client = new JeedomClient({ url: box.url, apikey: box.apikey });
    const eq = (await client.eqLogicsByType('virtual'))[0]!;
    const history: Record<string, Row[]> = {};
    const current: Record<string, unknown> = {};
    for (const c of await client.cmdsByEqLogic(eq.id)) {
      if (!c.isHistorized) continue;
      history[c.logicalId] = (await client.history(c.id, '2000-01-01 00:00:00', '2100-01-01 00:00:00')).map((r) => ({
        datetime: r.datetime,
        value: r.value,
      }));
      current[c.logicalId] = (await client.currentValues([c.id])).get(c.id);
    }
    client.close();
    const sink = (out: string) => JSON.parse(out).sinks.find((s: { sink: string }) => s.sink === 'jeedom');
    return { daily: sink(daily.stdout), again: sink(again.stdout), history, current };
  }

  it('uses jeelinky::writeHistory when the plugin is installed, cmd::event otherwise, and both boxes end with the same history', async () => {
    const a = await userPath(withPlugin);
    const b = await userPath(without);
    expect(a.daily).toMatchObject({ via: 'jeelinky::writeHistory', failed: 0 });
    expect(b.daily).toMatchObject({ via: 'cmd::event', failed: 0 });
    expect(a.daily.written).toBeGreaterThan(300);
    expect(a.daily.written).toBe(b.daily.written);
    // The second run reads first and writes nothing, both ways.
    expect(a.again).toMatchObject({ written: 0, corrected: 0, failed: 0 });
    expect(b.again).toMatchObject({ written: 0, corrected: 0, failed: 0 });
    expect(a.history.load_curve_power!.length).toBeGreaterThan(300);
    expect(a.history).toEqual(b.history);
    // The newest point is the current value both ways (the batch sets it without a history row).
    expect(a.current.load_curve_power).toEqual(b.current.load_curve_power);
    const newest = a.history.load_curve_power!.reduce((x, y) => (y.datetime > x.datetime ? y : x));
    expect(a.current.load_curve_power).toMatchObject({ collectDate: newest.datetime });
  }, 300_000);
});
