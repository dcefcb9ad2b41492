/**
 * The user's path on a REAL Jeedom 4.5.3 core (../shared/jeedom: PHP's built-in server and MariaDB
 * on loopback), the CLI as a child process: setup before pairing, the device code and the tokens in
 * the device, bound to the PDL (never a second device), setup again without --usage-point, the daily
 * run's history at the readings' dates, and a second run that writes nothing. Where the project's
 * Jeedom simulator and this core disagree, this core is right.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { deviceLogicalId, UNPAIRED_LOGICAL_ID } from '../plugin/jeedom/virtual.js';
import { startEnedisSimulator, type EnedisSimulator } from '../simulators/enedis.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { cliEnv, PDL, runCli, tempDir } from './support/core.js';
import { realJeedomMissing, startRealJeedom, type RealJeedom } from './support/real-jeedom.js';

if (realJeedomMissing) console.warn(`jeedom-real.test.ts: ${realJeedomMissing}`);

describe.skipIf(Boolean(realJeedomMissing))('on a real Jeedom 4.5.3 core', () => {
  let box: RealJeedom;
  let client: JeedomClient;
  let enedis: EnedisSimulator;
  let stateDir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    box = startRealJeedom(0);
    box.reset();
    client = new JeedomClient({ url: box.url, apikey: box.apikey, retryDelayMs: 1 });
    enedis = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, autoApprove: { usagePoints: [PDL], afterPolls: 0 } });
    stateDir = tempDir('jeelinky-real-jeedom-');
    env = cliEnv(enedis, stateDir, { JEELINKY_JEEDOM_URL: box.url, JEELINKY_JEEDOM_APIKEY: box.apikey });
  }, 600_000);

  afterAll(async () => {
    client?.close();
    await enedis?.close();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const devices = async () =>
    (await client.call<Array<{ id: string; logicalId: string; eqType_name: string }>>('eqLogic::all')).filter(
      (e) => e.eqType_name === 'virtual',
    );
  const cmds = async (eqLogicId: string) =>
    client.call<Array<{ id: string; logicalId: string; currentValue?: unknown }>>('cmd::byEqLogicId', { eqLogic_id: eqLogicId });
  const currentOf = async (eqLogicId: string, logicalId: string) => {
    const cmd = (await cmds(eqLogicId)).find((c) => c.logicalId === logicalId)!;
    const r = await client.call<{ value: unknown }>('cmd::execCmd', { id: cmd.id });
    return String(r.value ?? '');
  };
  const historyCount = async (eqLogicId: string, logicalId: string) => {
    const cmd = (await cmds(eqLogicId)).find((c) => c.logicalId === logicalId)!;
    const rows = await client.call<unknown>('cmd::getHistory', {
      id: cmd.id,
      startTime: '2000-01-01 00:00:00',
      endTime: '2100-01-01 00:00:00',
    });
    return Array.isArray(rows) ? rows.length : 0; // "ok" when empty (docs/jeedom-api.md §1)
  };

  it('setup before pairing, then --code, --first-connexion, setup again, the daily run twice: one device, exact history', async () => {
    const setup = await runCli(['jeedom', 'setup', '--json'], env);
    expect({ code: setup.code, stderr: setup.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(setup.stdout)).toMatchObject({ usagePoint: null, device: { logicalId: UNPAIRED_LOGICAL_ID } });
    expect((await devices()).map((d) => d.logicalId)).toEqual([UNPAIRED_LOGICAL_ID]);
    const id = (await devices())[0]!.id;
    const cmdIds = (await cmds(id)).map((c) => `${c.logicalId}:${c.id}`).sort();

    expect((await runCli(['run', '--code'], env)).code).toBe(0);
    const pairing = await new TokenState(await StateStore.open(stateDir)).getPairing();
    expect(await currentOf(id, 'device_code')).toBe(pairing!.deviceCode);

    const first = await runCli(['run', '--first-connexion'], env);
    expect(first.code).toBe(0);
    const tokens = await new TokenState(await StateStore.open(stateDir)).getTokens();
    expect((await devices()).map((d) => [d.id, d.logicalId])).toEqual([[id, deviceLogicalId(PDL)]]);
    expect((await cmds(id)).map((c) => `${c.logicalId}:${c.id}`).sort()).toEqual(cmdIds);
    expect(await currentOf(id, 'refresh_token')).toBe(tokens!.refreshToken);
    expect(await currentOf(id, 'usage_point_id')).toBe(PDL);

    const again = await runCli(['jeedom', 'setup', '--json'], env);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(again.stdout)).toMatchObject({ device: { logicalId: deviceLogicalId(PDL) }, changed: false });

    const daily = await runCli(['run', '--json'], env);
    expect(daily.code).toBe(0);
    const jeedomSink = JSON.parse(daily.stdout).sinks.find((s: { sink: string }) => s.sink === 'jeedom');
    expect(jeedomSink).toMatchObject({ failed: 0 });
    // 48 half-hours a day, 46 or 50 on a DST day: the curve's count is what the run stored.
    const curvePoints = JSON.parse(daily.stdout).kinds.find((k: { kind: string }) => k.kind === 'load_curve').added as number;
    expect(curvePoints).toBeGreaterThanOrEqual(7 * 46);
    expect(await historyCount(id, 'daily_consumption')).toBe(7);
    expect(await historyCount(id, 'max_power')).toBe(7);
    expect(await historyCount(id, 'load_curve_power')).toBe(curvePoints);
    expect(await historyCount(id, 'load_curve_energy')).toBe(curvePoints);

    const second = await runCli(['run', '--json'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).sinks.find((s: { sink: string }) => s.sink === 'jeedom')).toMatchObject({ written: 0, failed: 0 });
    expect(await historyCount(id, 'load_curve_power')).toBe(curvePoints);
    expect(await devices()).toHaveLength(1);
  }, 300_000);
});
