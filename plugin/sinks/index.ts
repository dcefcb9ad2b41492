/**
 * The sinks a configuration asks for: a sink is configured when its host or URL is set. Each sink
 * module exports a factory that returns undefined when it is not configured; FACTORIES lists them.
 */
import type { JeelinkyConfig } from '../config.js';
import { createInfluxSink } from './influx.js';
import { createJeedomSink } from './jeedom.js';
import { createMqttSink } from './mqtt.js';
import type { Sink, SinkName } from './sink.js';

/** Flags of the command line, by name (`jeedom-rate`, `mqtt-host`…), for settings a sink owns. */
export type SinkFlags = Record<string, unknown>;
export type SinkFactory = (config: JeelinkyConfig, flags: SinkFlags) => Sink | undefined;

/** One entry per sink module, in delivery order. */
const FACTORIES: Array<[SinkName, SinkFactory]> = [
  ['jeedom', createJeedomSink],
  ['mqtt', createMqttSink],
  ['influx', createInfluxSink],
];

/** The configured sinks, optionally only the named ones (`publish --sink`). */
export function createSinks(config: JeelinkyConfig, flags: SinkFlags = {}, only?: readonly SinkName[]): Sink[] {
  const out: Sink[] = [];
  for (const [name, factory] of FACTORIES) {
    if (only && !only.includes(name)) continue;
    const sink = factory(config, flags);
    if (sink) out.push(sink);
  }
  return out;
}

export * from './sink.js';
