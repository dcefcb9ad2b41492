/**
 * `ensureVirtualDevice` against the simulator: from nothing, twice (no change), dry run, adopting the
 * forum scenario's hand-made virtual (docs/origins.md §2) without losing a command or a history row, fixing lossy settings.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { ALL_COMMANDS, ensureVirtualDevice, HISTORY_CONFIGURATION, loadVirtualDevice, READING_COMMANDS } from '../plugin/jeedom/virtual.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { PDL } from './jeedom-fixtures.js';

let sim: JeedomSimulator;
let client: JeedomClient;
beforeEach(async () => {
  sim = await startJeedomSimulator();
  client = new JeedomClient({ url: sim.url, apikey: sim.apikey });
});
afterEach(async () => {
  client.close();
  await sim.close();
});

const saves = () =>
  Object.entries(sim.methodCounts())
    .filter(([m]) => m.endsWith('::save'))
    .reduce((a, [, n]) => a + n, 0);

describe('jeedom setup', () => {
  it('creates the object, the device and every command with the right settings, in one eqLogic::save', async () => {
    const report = await ensureVirtualDevice(client, { usagePoint: PDL, equipment: '[Maison][Compteur Linky]' });
    expect(report.changed).toBe(true);
    expect(sim.methodCounts()['eqLogic::save']).toBe(1);
    const [eq] = sim.eqLogics();
    expect(eq).toMatchObject({ name: 'Compteur Linky', logicalId: `jeelinky_${PDL}`, eqType_name: 'virtual', isEnable: '1' });
    expect(sim.objects().map((o) => o.name)).toEqual(['Maison']);
    for (const spec of ALL_COMMANDS) {
      const c = sim.cmdByLogicalId(eq!.id, spec.logicalId)!;
      expect(c, spec.logicalId).toBeDefined();
      expect(report.commands[spec.logicalId]).toBe(c.id);
      expect(c).toMatchObject({ type: 'info', subType: spec.subType, unite: spec.unite, isHistorized: spec.historized ? '1' : '0' });
    }
    for (const spec of READING_COMMANDS) expect(sim.cmdByLogicalId(eq!.id, spec.logicalId)!.configuration).toEqual(HISTORY_CONFIGURATION);
    expect(sim.cmdByLogicalId(eq!.id, 'daily_consumption')!.name).toBe('value');
    expect(sim.cmdByLogicalId(eq!.id, 'max_power')!.name).toBe('maxPower');
    expect(sim.cmdByLogicalId(eq!.id, 'refresh_token')!.isVisible).toBe('0');
  });

  it('changes nothing the second time, and writes nothing', async () => {
    await ensureVirtualDevice(client, { usagePoint: PDL });
    sim.resetCounts();
    const again = await ensureVirtualDevice(client, { usagePoint: PDL });
    expect(again.changed).toBe(false);
    expect(again.changes).toEqual([]);
    expect(saves()).toBe(0);
    expect(sim.eqLogics()).toHaveLength(1);
    expect(again.device.humanName).toBe(`[Linky][Linky ${PDL}]`);
  });

  it('only reports in a dry run', async () => {
    const report = await ensureVirtualDevice(client, { usagePoint: PDL, dryRun: true });
    expect(report.changes.filter((c) => c.action === 'create_command')).toHaveLength(ALL_COMMANDS.length);
    expect(report.changes.map((c) => c.action)).toContain('create_object');
    expect(saves()).toBe(0);
    expect(sim.eqLogics()).toEqual([]);
  });

  it("adopts the forum scenario's hand-made virtual: keeps user commands and history, fixes settings, never sends a cmd list", async () => {
    const o = sim.addObject({ name: 'Automatismes généraux' });
    const e = sim.addEqLogic({ name: 'EnedisDomoticz', object_id: o.id });
    const value = sim.addCmd({
      eqLogic_id: e.id,
      name: 'value',
      subType: 'numeric',
      isHistorized: '1',
      unite: 'kWh',
      configuration: { historizeRound: 1 },
    });
    const refresh = sim.addCmd({ eqLogic_id: e.id, name: 'refresh_token', subType: 'string' });
    const userMax = sim.addCmd({ eqLogic_id: e.id, name: 'maxPower', subType: 'string' }); // incompatible: not adopted
    const tarif = sim.addCmd({ eqLogic_id: e.id, name: 'Tarif', subType: 'numeric' });
    sim.addHistory(value.id, [{ datetime: '2020-09-15 12:00:00', value: 19403 }], 'historyArch');
    const report = await ensureVirtualDevice(client, { usagePoint: PDL, equipment: '[Automatismes généraux][EnedisDomoticz]' });
    expect(sim.methodCounts()['eqLogic::save']).toBe(1); // the logicalId only
    expect(sim.eqLogics()).toHaveLength(1);
    expect(sim.eqLogics()[0]!.logicalId).toBe(`jeelinky_${PDL}`);
    expect(report.changes[0]).toMatchObject({ action: 'adopt_device' });
    expect(sim.cmd(value.id)).toMatchObject({ logicalId: 'daily_consumption', unite: 'Wh', name: 'value' });
    expect(sim.cmd(value.id)!.configuration).toEqual(HISTORY_CONFIGURATION);
    expect(sim.cmd(refresh.id)!.logicalId).toBe('refresh_token');
    expect(sim.cmd(userMax.id)).toMatchObject({ name: 'maxPower', logicalId: '', subType: 'string' });
    expect(sim.cmdByLogicalId(e.id, 'max_power')!.name).toBe('max_power');
    expect(sim.cmd(tarif.id)).toBeDefined();
    expect(sim.history(value.id)).toHaveLength(1);
    const second = await ensureVirtualDevice(client, { usagePoint: PDL, equipment: '[Automatismes généraux][EnedisDomoticz]' });
    expect(second.changes).toEqual([]);
  });

  it('puts back lossy settings changed in the UI, without touching history or the name', async () => {
    await ensureVirtualDevice(client, { usagePoint: PDL });
    const eq = sim.eqLogics()[0]!;
    const curve = sim.cmdByLogicalId(eq.id, 'load_curve_energy')!;
    sim.addHistory(curve.id, [{ datetime: '2026-01-01 00:00:00', value: 150 }]);
    await client.saveCmd({
      id: curve.id,
      name: 'Énergie 30 min',
      configuration: { historizeMode: 'avg', 'history::smooth': 300, maxValue: 1000 },
    });
    const report = await ensureVirtualDevice(client, { usagePoint: PDL });
    expect(report.changes).toHaveLength(1);
    expect(report.changes[0]!.details).toEqual(
      expect.arrayContaining(['historizeMode avg → none', 'remove history::smooth (was 300)', 'remove maxValue (was 1000)']),
    );
    expect(sim.cmd(curve.id)!.configuration).toEqual(HISTORY_CONFIGURATION);
    expect(sim.cmd(curve.id)!.name).toBe('Énergie 30 min');
    expect(sim.history(curve.id)).toHaveLength(1);
  });

  it('adds a command missing from an existing device with cmd::save, not eqLogic::save', async () => {
    await ensureVirtualDevice(client, { usagePoint: PDL, statistics: false });
    sim.resetCounts();
    const report = await ensureVirtualDevice(client, { usagePoint: PDL });
    expect(report.changes.filter((c) => c.action === 'create_command')).toHaveLength(6);
    expect(sim.methodCounts()['eqLogic::save']).toBeUndefined();
    expect(sim.methodCounts()['cmd::save']).toBe(6);
  });

  it('one device per PDL; warns about a disabled device; refuses a name used by another PDL', async () => {
    await ensureVirtualDevice(client, { usagePoint: PDL });
    await ensureVirtualDevice(client, { usagePoint: '98765432109876' });
    expect(
      sim
        .eqLogics()
        .map((e) => e.logicalId)
        .sort(),
    ).toEqual(['jeelinky_12345678901234', 'jeelinky_98765432109876']);
    sim.setEnabled(sim.eqLogics()[0]!.id, false);
    const r = await ensureVirtualDevice(client, { usagePoint: PDL });
    expect(r.warnings.join('\n')).toMatch(/disabled.*Activer/);
    await expect(ensureVirtualDevice(client, { usagePoint: '11111111111111', equipment: `[Linky][Linky ${PDL}]` })).rejects.toThrow(
      /already used by another device/,
    );
    await expect(ensureVirtualDevice(client, { usagePoint: '123' })).rejects.toThrow(/14-digit/);
    const device = await loadVirtualDevice(client, PDL);
    expect(device.cmds.get('load_curve_power')!.unite).toBe('W');
  });
});
