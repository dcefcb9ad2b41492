/**
 * Per sink, what was delivered: one document per (sink, PDL, kind, month) mapping each reading's
 * start instant to a fingerprint of what was sent. A reading is pending for a sink when the
 * store's fingerprint differs (never sent, or corrected since), so that a sink that was down
 * catches up at the next run and `publish` needs no API call.
 */
import { z } from 'zod';
import type { Reading, ReadingKind } from '../readings.js';
import type { ReadingsStore } from '../store/readings.js';
import { monthsBetween } from '../store/readings.js';
import type { StateStore } from '../store/state.js';
import type { SinkName } from './sink.js';

const ledgerSchema = z.object({ v: z.literal(1), sent: z.record(z.string(), z.string()) });

const key = (sink: SinkName, usagePoint: string, kind: ReadingKind, month: string) => `delivered:${sink}:${usagePoint}:${kind}:${month}`;

export function fingerprint(r: Reading): string {
  return `${r.value}|${r.end}|${r.energyWh ?? ''}|${r.at ?? ''}`;
}

export class DeliveryLedger {
  constructor(private readonly store: StateStore) {}

  private async month(sink: SinkName, usagePoint: string, kind: ReadingKind, month: string) {
    return (await this.store.read(key(sink, usagePoint, kind, month), ledgerSchema)) ?? { v: 1 as const, sent: {} };
  }

  /** Readings of [fromDay; toDay[ not yet delivered to `sink` as they are now (all of them with `force`). */
  async pending(
    sink: SinkName,
    readings: ReadingsStore,
    usagePoint: string,
    kind: ReadingKind,
    fromDay: string,
    toDay: string,
    force = false,
  ): Promise<Reading[]> {
    const all = await readings.readings(usagePoint, kind, fromDay, toDay);
    if (force) return all;
    const out: Reading[] = [];
    const byMonth = new Map<string, Record<string, string>>();
    for (const m of monthsBetween(fromDay, toDay)) byMonth.set(m, (await this.month(sink, usagePoint, kind, m)).sent);
    for (const r of all) if (byMonth.get(r.day.slice(0, 7))?.[r.start] !== fingerprint(r)) out.push(r);
    return out;
  }

  /** Marks readings as delivered to `sink`, one atomic write per month. */
  async markDelivered(sink: SinkName, usagePoint: string, readings: Reading[]): Promise<void> {
    const groups = new Map<string, Reading[]>();
    for (const r of readings) {
      const k = `${r.kind}|${r.day.slice(0, 7)}`;
      const list = groups.get(k) ?? [];
      list.push(r);
      groups.set(k, list);
    }
    for (const [k, list] of groups) {
      const [kind, month] = k.split('|') as [ReadingKind, string];
      const doc = await this.month(sink, usagePoint, kind, month);
      for (const r of list) doc.sent[r.start] = fingerprint(r);
      await this.store.write(key(sink, usagePoint, kind, month), doc);
    }
  }
}
