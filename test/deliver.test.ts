/**
 * The delivery machinery between the store and the sinks, with an in-process recording sink (no
 * socket is involved in the sink itself; the fetch side runs against the simulator over HTTP).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '../plugin/readings.js';
import { emptyResult, type RunOutcome, type Sink, type SinkResult } from '../plugin/sinks/sink.js';
import { runScenario } from '../plugin/runner/index.js';
import { harness, type Harness } from './support/core.js';

let h: Harness;
afterEach(async () => h?.close());

class RecordingSink implements Sink {
  readonly name = 'mqtt' as const;
  deliveries: Reading[][] = [];
  outcomes: RunOutcome[] = [];
  closed = 0;
  failNext = false;
  async deliver(readings: Reading[]): Promise<SinkResult> {
    this.deliveries.push(readings);
    if (this.failNext) {
      this.failNext = false;
      return { ...emptyResult(this.name), error: { code: 'broker_down', message: 'broker down', exitCode: 75 } };
    }
    return { ...emptyResult(this.name), written: readings.length };
  }
  async runEnded(outcome: RunOutcome): Promise<void> {
    this.outcomes.push(outcome);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

describe('delivery to sinks', () => {
  it('delivers each reading once, re-delivers after a failure, and tells how the run ended', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const sink = new RecordingSink();
    const run = () => runScenario({}, { config: h.config, now: h.clock.now, sleep: h.clock.sleep, sinks: [sink] });

    sink.failNext = true;
    const r1 = await run();
    expect(r1.exitCode).toBe(0); // a sink that is down does not fail the run
    expect(r1.sinks[0]?.error?.code).toBe('broker_down');
    const stored = sink.deliveries[0]!.length;
    expect(stored).toBe(7 + 7 + 7 * 48);

    const r2 = await run();
    expect(r2.meteringCalls).toBe(0);
    expect(sink.deliveries[1]).toHaveLength(stored); // the failed delivery is redone from the store
    expect(r2.sinks[0]).toMatchObject({ written: stored, failed: 0 });

    const r3 = await run();
    expect(sink.deliveries).toHaveLength(2); // nothing pending: the sink is not called
    expect(r3.sinks[0]).toMatchObject({ written: 0 });

    expect(sink.closed).toBe(3);
    expect(sink.outcomes).toHaveLength(3);
    expect(sink.outcomes[2]).toMatchObject({ ok: true, exitCode: 0, usagePoint: '00000000000001' });
    expect(sink.outcomes[2]!.tokens?.refreshToken).toBe(h.sim.currentRefreshToken());
  });

  it('a sink error that needs a person (bad credentials) fails the run with 78', async () => {
    h = await harness('2024-11-05T10:00:00+01:00');
    await h.pairNow();
    const sink = new RecordingSink();
    sink.deliver = async () => ({ ...emptyResult('mqtt'), error: { code: 'bad_credentials', message: 'refused', exitCode: 78 } });
    const r = await runScenario({}, { config: h.config, now: h.clock.now, sleep: h.clock.sleep, sinks: [sink] });
    expect(r.exitCode).toBe(78);
    expect(r.kinds.every((k) => k.status === 'ok')).toBe(true);
  });
});
