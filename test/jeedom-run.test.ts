/**
 * The daily run into Jeedom, end to end over real sockets: the Enedis simulator feeds the runner,
 * the Jeedom simulator receives history, token state, the relaunch flag and the forum scenario's figures.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { ensureVirtualDevice, deviceLogicalId } from '../plugin/jeedom/virtual.js';
import { startJeedomSimulator, type JeedomSimulator } from '../simulators/jeedom.js';
import { JeedomSink } from '../plugin/sinks/jeedom.js';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { runScenario } from '../plugin/runner/index.js';
import { harness, PDL, runCli, type Harness } from './support/core.js';
import { Opened } from './support/world.js';

let h: Harness;
let jeedom: JeedomSimulator;
// Each test closes only what it opened (a test that opens neither closes nothing).
const opened = new Opened();
afterEach(() => opened.closeAll());

async function setUp(now: string, simOptions = {}) {
  h = opened.track(await harness(now, simOptions));
  jeedom = opened.track(await startJeedomSimulator({ clock: { now: h.clock.now } }));
  const client = new JeedomClient({ url: jeedom.url, apikey: jeedom.apikey, retryDelayMs: 1 });
  await ensureVirtualDevice(client, { usagePoint: PDL });
  client.close();
  await h.pairNow();
  const device = jeedom.eqLogics().find((e) => e.logicalId === deviceLogicalId(PDL))!;
  const cmd = (logicalId: string) => jeedom.cmdByLogicalId(device.id, logicalId)!;
  const run = (options = {}) =>
    runScenario(options, {
      config: h.config,
      now: h.clock.now,
      sleep: h.clock.sleep,
      sinks: [new JeedomSink({ url: jeedom.url, apikey: jeedom.apikey })],
    });
  return { device, cmd, run };
}

describe('daily run into a Jeedom virtual', () => {
  it('writes every reading at its own datetime, token state, relaunch and figures; a re-run writes nothing', async () => {
    const { cmd, run } = await setUp('2024-11-05T10:00:00+01:00');
    const r = await run();
    expect(r.exitCode).toBe(0);
    const sink = r.sinks.find((s) => s.sink === 'jeedom')!;
    expect(sink.error).toBeUndefined();
    expect(sink.written).toBe(7 + 7 + 7 * 48 * 2); // daily, max power, curve power + curve energy

    const daily = jeedom.history(cmd('daily_consumption').id);
    expect(daily.map((row) => row.datetime)).toContain('2024-11-04 12:00:00');
    expect(Number(daily.find((row) => row.datetime === '2024-11-04 12:00:00')?.value)).toBe(
      h.sim.expectedValue('daily_consumption', PDL, '2024-11-04'),
    );
    const energy = jeedom.history(cmd('load_curve_energy').id).filter((row) => row.datetime.startsWith('2024-11-04'));
    expect(energy).toHaveLength(48);
    expect(energy.reduce((a, row) => a + Number(row.value), 0)).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-11-04'));

    const tokens = await new TokenState(await StateStore.open(h.config.stateDir)).getTokens();
    expect(jeedom.currentValue(cmd('refresh_token').id)?.value).toBe(tokens?.refreshToken);
    expect(jeedom.currentValue(cmd('usage_point_id').id)?.value).toBe(PDL);
    expect(String(jeedom.currentValue(cmd('relaunch').id)?.value)).toBe('0');
    // "this month" of the forum scenario: 1–4 November (Today excluded), in kWh.
    const store = new ReadingsStore(await StateStore.open(h.config.stateDir));
    const november = (await store.readings(PDL, 'daily_consumption', '2024-11-01', '2024-11-05')).reduce((a, d) => a + d.value, 0);
    expect(Number(jeedom.currentValue(cmd('stats_this_month_kwh').id)?.value)).toBeCloseTo(november / 1000, 3);

    jeedom.resetCounts();
    const again = await run();
    expect(again.sinks[0]).toMatchObject({ written: 0, corrected: 0 });
    expect(jeedom.methodCounts()['cmd::event'] ?? 0).toBeLessThanOrEqual(8); // figures and flags only, no history
  });

  it('Jeedom down during the run: the run succeeds, tokens are safe, the next run catches up', async () => {
    const { cmd, run } = await setUp('2024-11-05T10:00:00+01:00');
    jeedom.setFault({ kind: 'reset' });
    const r = await run();
    expect(r.exitCode).toBe(0);
    expect(r.sinks[0]?.error?.code).toMatch(/jeedom|unavailable|network/i);
    expect(r.kinds.every((k) => k.status === 'ok')).toBe(true);
    jeedom.setFault(null);
    const next = await run();
    expect(next.meteringCalls).toBe(0);
    expect(next.sinks[0]?.error).toBeUndefined();
    expect(next.sinks[0]?.written).toBe(7 + 7 + 7 * 48 * 2);
    expect(jeedom.history(cmd('max_power').id)).toHaveLength(7);
  });

  it('a temporary Enedis failure sets the relaunch flag; the next good run clears it', async () => {
    const { cmd, run } = await setUp('2024-11-05T10:00:00+01:00');
    h.sim.inject(
      { path: 'daily_consumption' },
      { status: 500, body: { error: 'technical_error', error_description: 'Technical error. Please try later.' } },
      3,
    );
    const r = await run();
    expect(r.exitCode).toBe(75);
    expect(String(jeedom.currentValue(cmd('relaunch').id)?.value)).toBe('1');
    const ok = await run();
    expect(ok.exitCode).toBe(0);
    expect(String(jeedom.currentValue(cmd('relaunch').id)?.value)).toBe('0');
  });

  it('October DST day: the day sums to its total in Jeedom too', async () => {
    const { cmd, run } = await setUp('2024-10-30T10:00:00+01:00');
    await run({ since: '2024-10-26' });
    const rows = jeedom.history(cmd('load_curve_energy').id).filter((row) => row.datetime.startsWith('2024-10-27'));
    expect(rows.reduce((a, row) => a + Number(row.value), 0)).toBe(h.sim.expectedValue('daily_consumption', PDL, '2024-10-27'));
  });

  it('the CLI run with JEELINKY_JEEDOM_URL: a bad API key is exit 78 and the key is never printed', async () => {
    jeedom = opened.track(await startJeedomSimulator());
    // The CLI runs on the real clock: a simulator on the real clock too.
    const { env } = await opened.world({
      env: { JEELINKY_JEEDOM_URL: jeedom.url, JEELINKY_JEEDOM_APIKEY: 'WrongKeyWrongKey1234567890' },
      pair: true,
    });
    const r = await runCli(['run', '--daily-consumption'], env);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/Jeedom/);
    expect(r.stdout + r.stderr).not.toContain('WrongKeyWrongKey1234567890');
    // The readings are safe in the store: with the right key, the next run delivers them.
    const good = await runCli(['run', '--daily-consumption', '--json'], { ...env, JEELINKY_JEEDOM_APIKEY: jeedom.apikey });
    expect(good.code).toBe(78); // the virtual device does not exist yet: "run jeelinky jeedom setup"
    expect(good.stderr).toMatch(/jeedom setup/);
    expect((await runCli(['jeedom', 'setup', '--usage-point', PDL], { ...env, JEELINKY_JEEDOM_APIKEY: jeedom.apikey })).code).toBe(0);
    const delivered = await runCli(['run', '--daily-consumption', '--json'], { ...env, JEELINKY_JEEDOM_APIKEY: jeedom.apikey });
    expect(delivered.code).toBe(0);
    expect(JSON.parse(delivered.stdout).sinks[0].written).toBeGreaterThan(0);
  });
});
