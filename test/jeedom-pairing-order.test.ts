/**
 * Setting up Jeedom in the order forum users follow, the CLI as a child process over real sockets:
 * the virtual device first (no PDL yet), then `run --code` (the device code goes into it), then
 * `run --first-connexion` (token state, and the device is bound to the PDL), then `setup` again and
 * the daily run. Also: the writer's warnings in the summary and in --json, and a backfill dry run
 * that counts only what Jeedom lacks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deviceLogicalId, UNPAIRED_LOGICAL_ID } from '../plugin/jeedom/virtual.js';
import type { JeedomSimulator } from '../simulators/jeedom.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { PDL, runCli } from './support/core.js';
import { Opened } from './support/world.js';

const PDL2 = '00000000000002';

const opened = new Opened();
afterEach(() => opened.closeAll());

/** Real clock (the CLI's): the consent is given at the first poll. */
const start = (usagePoints = [PDL]) => opened.world({ enedis: { autoApprove: { usagePoints, afterPolls: 0 } }, jeedom: true });

const virtuals = (j: JeedomSimulator) => j.eqLogics().filter((e) => e.eqType_name === 'virtual');
const current = (j: JeedomSimulator, eqLogicId: number, logicalId: string) =>
  String(j.currentValue(j.cmdByLogicalId(eqLogicId, logicalId)!.id)?.value ?? '');

describe('jeedom setup before pairing (the forum scenario order)', () => {
  it('one device from setup to the daily run: code, tokens, bound to the PDL, setup again needs no --usage-point', async () => {
    const { env, jeedom: j, dir: stateDir } = await start();

    // 1. Before pairing, no PDL anywhere: one device waiting for pairing.
    const setup = await runCli(['jeedom', 'setup', '--json'], env);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(JSON.parse(setup.stdout)).toMatchObject({
      usagePoint: null,
      device: { logicalId: UNPAIRED_LOGICAL_ID },
      defaultEquipment: '[Linky][Linky]',
    });
    expect(virtuals(j)).toHaveLength(1);
    const id = virtuals(j)[0]!.id;
    expect(virtuals(j)[0]!.logicalId).toBe(UNPAIRED_LOGICAL_ID);
    const cmdIds = j
      .cmds(id)
      .map((c) => `${c.logicalId}:${c.id}`)
      .sort();

    // 2. run --code: the device code of the pairing in progress goes into device_code.
    const code = await runCli(['run', '--code'], env);
    expect(code.code).toBe(0);
    expect(code.stdout).toMatch(/device\?code=/);
    const pairing = await new TokenState(await StateStore.open(stateDir)).getPairing();
    expect(pairing?.deviceCode).toBeTruthy();
    expect(current(j, id, 'device_code')).toBe(pairing!.deviceCode);

    // 3. run --first-connexion: token state in the same device, now bound to the PDL.
    const first = await runCli(['run', '--first-connexion'], env);
    expect(first.stderr).not.toMatch(/error|setup/i);
    expect(first.code).toBe(0);
    const tokens = await new TokenState(await StateStore.open(stateDir)).getTokens();
    expect(virtuals(j)).toHaveLength(1);
    expect(virtuals(j)[0]).toMatchObject({ id, logicalId: deviceLogicalId(PDL) });
    expect(
      j
        .cmds(id)
        .map((c) => `${c.logicalId}:${c.id}`)
        .sort(),
    ).toEqual(cmdIds); // its commands kept, none added or lost
    expect(current(j, id, 'refresh_token')).toBe(tokens!.refreshToken);
    expect(current(j, id, 'access_token')).toBe(tokens!.accessToken);
    expect(current(j, id, 'token_type')).toBe(tokens!.tokenType);
    expect(current(j, id, 'usage_point_id')).toBe(PDL);
    expect(current(j, id, 'device_code')).toBe(''); // redeemed: no pairing in progress any more

    // 4. setup again: the paired PDL, no --usage-point, nothing to create.
    const again = await runCli(['jeedom', 'setup', '--json'], env);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ device: { id, logicalId: deviceLogicalId(PDL) }, changed: false });
    expect(virtuals(j)).toHaveLength(1);

    // 5. the daily run writes history into it.
    const daily = await runCli(['run', '--daily-consumption', '--json'], env);
    expect(daily.code).toBe(0);
    expect(JSON.parse(daily.stdout).sinks[0]).toMatchObject({ sink: 'jeedom', written: 7, failed: 0 });
    expect(j.history(j.cmdByLogicalId(id, 'daily_consumption')!.id)).toHaveLength(7);
    expect(virtuals(j)).toHaveLength(1);
  });

  it('setup after pairing without any PDL given: the device of the paired PDL', async () => {
    const { env, jeedom: j } = await start();
    expect((await runCli(['pair'], env)).code).toBe(0);
    const setup = await runCli(['jeedom', 'setup'], env);
    expect(setup.stderr).toBe('');
    expect(setup.code).toBe(0);
    expect(virtuals(j).map((e) => e.logicalId)).toEqual([deviceLogicalId(PDL)]);
    expect((await runCli(['run', '--daily-consumption'], env)).code).toBe(0);
  });

  it('several PDLs in the consent: the device set up before pairing goes to the first, one device per PDL', async () => {
    const { env, jeedom: j } = await start([PDL, PDL2]);
    expect((await runCli(['jeedom', 'setup'], env)).code).toBe(0);
    const id = virtuals(j)[0]!.id;
    expect((await runCli(['pair'], env)).code).toBe(0);
    const setup = await runCli(['jeedom', 'setup', '--json'], env);
    expect(setup.code).toBe(0);
    expect(JSON.parse(setup.stdout)).toHaveLength(2);
    expect(
      virtuals(j)
        .map((e) => [e.id === id, e.logicalId])
        .sort(),
    ).toEqual([
      [false, deviceLogicalId(PDL2)],
      [true, deviceLogicalId(PDL)],
    ]);
    expect((await runCli(['jeedom', 'setup'], env)).code).toBe(0);
    expect(virtuals(j)).toHaveLength(2);
  });
});

describe('what the Jeedom writer says reaches the user', () => {
  it('a backfill behind newer data: the warning in the summary and in --json', async () => {
    const { env, jeedom: j } = await start();
    expect((await runCli(['pair'], env)).code).toBe(0);
    expect((await runCli(['jeedom', 'setup', '--usage-point', PDL], env)).code).toBe(0);
    expect((await runCli(['run', '--daily-consumption'], env)).code).toBe(0); // the last 7 days

    const older = await runCli(['run', '--daily-consumption', '--since', '-14 days'], env);
    expect(older.code).toBe(0);
    expect(older.stdout).toMatch(
      /warning: daily_consumption: its current value will be the point of \d{4}-\d\d-\d\d 12:00:00, older than the stored/,
    );

    const backfill = await runCli(['backfill', '--kinds', 'daily_consumption', '--since', '-21 days', '--json'], env);
    expect(backfill.code).toBe(0);
    const sink = JSON.parse(backfill.stdout).sinks.find((s: { sink: string }) => s.sink === 'jeedom');
    expect(sink.written).toBe(7);
    expect(sink.warnings).toEqual([
      expect.stringMatching(/^daily_consumption: its current value will be the point of .* older than the stored/),
    ]);
    expect(virtuals(j)).toHaveLength(1);
  });

  it('backfill --dry-run counts only the writes Jeedom lacks', async () => {
    const { env, jeedom: j } = await start();
    expect((await runCli(['pair'], env)).code).toBe(0);
    expect((await runCli(['jeedom', 'setup', '--usage-point', PDL], env)).code).toBe(0);
    expect((await runCli(['run', '--daily-consumption'], env)).code).toBe(0); // 7 days, in Jeedom too
    // 7 older days into the store only (no Jeedom configured for this run).
    const { JEELINKY_JEEDOM_URL: _u, JEELINKY_JEEDOM_APIKEY: _k, ...noJeedom } = env;
    expect((await runCli(['run', '--daily-consumption', '--since', '-14 days'], noJeedom)).code).toBe(0);

    const before = j.methodCounts()['cmd::event'] ?? 0;
    const dry = await runCli(['backfill', '--dry-run', '--kinds', 'daily_consumption', '--since', '-14 days', '--json'], env);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout).sinks).toEqual([expect.objectContaining({ sink: 'jeedom', pending: 7, skipped: 7 })]);
    const text = await runCli(['backfill', '--dry-run', '--kinds', 'daily_consumption', '--since', '-14 days'], env);
    expect(text.stdout).toMatch(/jeedom\s+7 write\(s\) it lacks for the stored readings \(7 already there\)/);
    expect(j.methodCounts()['cmd::event'] ?? 0).toBe(before); // a dry run writes nothing
  });
});
