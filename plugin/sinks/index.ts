/**
 * The sinks a configuration asks for: a sink is configured when its host or URL is set. Each sink
 * module exports a factory that returns undefined when it is not configured; FACTORIES lists them.
 */
import type { JeelinkyConfig } from '../config.js';
import type { Sink, SinkName } from './sink.js';

export type SinkFactory = (config: JeelinkyConfig) => Sink | undefined;

/** One entry per sink module, in delivery order. */
const FACTORIES: Array<[SinkName, SinkFactory]> = [];

/** The configured sinks, optionally only the named ones (`publish --sink`). */
export function createSinks(config: JeelinkyConfig, only?: readonly SinkName[]): Sink[] {
  const out: Sink[] = [];
  for (const [name, factory] of FACTORIES) {
    if (only && !only.includes(name)) continue;
    const sink = factory(config);
    if (sink) out.push(sink);
  }
  return out;
}

export * from './sink.js';
