/**
 * SIGINT and SIGTERM stop a run within 3 seconds: the signal aborts the HTTP call in flight
 * (Enedis, Jeedom, InfluxDB) and the MQTT publishing, and every loop stops before its next request.
 * What was done is saved (every write is atomic) and what was not stays pending for the next run.
 * One line says so, once, on a fresh line (progress bars are stopped first); the exit code is 75.
 * A second signal exits at once with 130.
 */
import { ExitCode } from '../plugin/errors.js';

/** After the first signal the run gets this long to stop cleanly before the process exits anyway. */
export const STOP_DEADLINE_MS = 2500;
/** Exit code of a second signal: the shell's code for an interrupted command. */
export const SECOND_SIGNAL_EXIT = 130;

let interruptedBy: NodeJS.Signals | undefined;
/** How many runs are under withInterruptSignals now (they stop cleanly themselves). */
let cleanStops = 0;

/** The signal that interrupted this process's run, if any (the CLI then exits as soon as its output is written). */
export function interruption(): NodeJS.Signals | undefined {
  return interruptedBy;
}

export function interruptionLine(name: string): string {
  return `jeelinky: ${name} received: stopped; everything done so far is saved and the rest is left for the next run (exit 75; a second signal quits at once)`;
}

export interface InterruptOptions {
  /** Called before the line is printed: stop progress bars and countdowns so the line starts on a fresh line. */
  beforeLine?: () => void;
}

export async function withInterruptSignals<T>(work: (signal: AbortSignal) => Promise<T>, options: InterruptOptions = {}): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(SECOND_SIGNAL_EXIT);
    interruptedBy = name;
    try {
      options.beforeLine?.();
    } finally {
      process.stderr.write(`${interruptionLine(name)}\n`);
    }
    controller.abort(name);
    // A safety net for anything that would not stop (a library call that ignores the abort):
    // the state is safe at any instant, so leaving is always possible.
    setTimeout(() => process.exit(ExitCode.TEMPORARY), STOP_DEADLINE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  cleanStops++;
  try {
    return await work(controller.signal);
  } finally {
    cleanStops--;
    // A second signal during the final output still quits at once; none means the default again.
    if (!controller.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}

export function stopLine(name: string): string {
  return `jeelinky: ${name} received: stopped; nothing was left half-written, run the command again (exit 75)`;
}

/**
 * The stop of every other command (jeedom setup, tariff, stats, report, status, date, tempo…):
 * they only read, or write with single atomic requests, so leaving at once is safe. Installed once
 * by the CLI; a run under withInterruptSignals stops its own way instead.
 */
export function installDefaultStop(): void {
  const onSignal = (name: NodeJS.Signals) => {
    if (cleanStops > 0) return;
    if (interruptedBy) process.exit(SECOND_SIGNAL_EXIT);
    interruptedBy = name;
    process.stderr.write(`\n${stopLine(name)}\n`);
    process.exit(ExitCode.TEMPORARY);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
