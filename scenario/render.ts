/**
 * Human-readable rendering of run reports, pairing instructions and progress, on the terminal.
 * Data goes to stdout; progress and notes go to stderr so that `--json` stdout stays clean.
 */
import cliProgress from 'cli-progress';
import moment from 'moment-timezone';
import type { Pairing } from '../plugin/store/tokens.js';
import { KIND_INFO, type ReadingKind } from '../plugin/readings.js';
import type { KindReport, RunEvents, RunReport } from './steps.js';

export function pairingInstructions(p: Pairing | NonNullable<RunReport['pairing']>, tz: string): string {
  const until = moment.tz(p.expiresAt, tz).format('HH:mm:ss');
  return [
    'Open this address in a browser, sign in to your Enedis account and accept to share your Linky data:',
    `  ${p.verificationUriComplete}`,
    `  (or open ${p.verificationUri} and type the code ${p.userCode})`,
    `The code stays valid until ${until} (${tz}), about ${Math.max(0, Math.round((Date.parse(p.expiresAt) - Date.now()) / 60000))} minutes.`,
  ].join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function kindLine(k: KindReport): string {
  const label = KIND_INFO[k.kind].label.padEnd(23);
  if (k.status === 'not_attempted') return `${label} not attempted (the run stopped before)`;
  if (k.status === 'not_available') return `${label} not available: ${k.error?.message ?? ''}`;
  const range = k.from && k.to ? `${k.from} → ${k.to} (end excluded)` : '';
  const stored = `+${k.added} new, ${k.changed} changed, ${k.unchanged} already known`;
  const missing = k.missingDays.length ? ` · missing ${k.missingDays.length}: ${shortList(k.missingDays)}` : '';
  const head = `${label} ${range} · ${plural(k.calls, 'call')} · ${stored}${missing}`;
  return k.status === 'error' ? `${head}\n    error: ${k.error?.message}` : head;
}

function shortList(days: string[]): string {
  return days.length <= 4 ? days.join(', ') : `${days.slice(0, 2).join(', ')} … ${days.at(-1)}`;
}

export function renderRunReport(r: RunReport, tz: string): string {
  const lines: string[] = [];
  if (r.pairing) lines.push(pairingInstructions(r.pairing, tz));
  if (r.tokens?.paired) {
    const exp = r.tokens.accessTokenExpiresAt ? moment.tz(r.tokens.accessTokenExpiresAt, tz).format('YYYY-MM-DD HH:mm') : 'unknown';
    if (r.tokens.refreshed) lines.push(`Access token renewed (valid until ${exp}).${r.tokens.rotated ? ' The proxy issued a new refresh token: saved.' : ''}`);
  }
  for (const k of r.kinds) lines.push(kindLine(k));
  if (r.kinds.length) lines.push(`${plural(r.meteringCalls, 'metering call')} this run.`);
  for (const sink of r.sinks) {
    lines.push(
      sink.error
        ? `${sink.sink.padEnd(23)} error: ${sink.error.message} (${sink.written} written; whatever is missing is retried at the next run from the store)`
        : `${sink.sink.padEnd(23)} ${sink.written} written, ${sink.skipped} already there, ${sink.corrected} corrected${sink.failed ? `, ${sink.failed} failed` : ''}`,
    );
    for (const w of sink.warnings ?? []) lines.push(`${''.padEnd(23)} warning: ${w}`);
  }
  if (r.tariff?.error) lines.push(r.tariff.error);
  else if (r.tariff?.days) {
    lines.push(`HP/HC and cost: ${plural(r.tariff.days, 'complete day')} for the sinks (windows: ${r.tariff.windows}, plan ${r.tariff.plan}).`);
    for (const n of r.tariff.notes) lines.push(`note: ${n}`);
  }
  if (r.retryAt) lines.push(`Run again after ${moment.tz(r.retryAt, tz).format('YYYY-MM-DD HH:mm')} (exit code 75).`);
  return lines.join('\n');
}

/** One line per failure of the run, for stderr (the summary on stdout keeps them too, per kind). */
export function failureLines(r: RunReport): string[] {
  const lines = r.error ? [r.error.message] : [];
  for (const k of r.kinds) if (k.status === 'error' && k.error) lines.push(k.error.message);
  for (const sink of r.sinks) if (sink.error) lines.push(`${sink.sink}: ${sink.error.message}`);
  return lines.map((l) => `jeelinky: ${l}`);
}

/** Progress bars and countdowns on stderr when it is a terminal; sparse plain lines otherwise. */
export function terminalEvents(tz: string, quiet: boolean): RunEvents {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastPlain = 0;
  let plannedCalls = 0;
  let doneCalls = 0;
  const note = (line: string) => {
    if (!quiet) process.stderr.write(line + '\n');
  };
  return {
    info: note,
    pairingCode: (p) => note(pairingInstructions(p, tz)),
    waiting: (left, state) => {
      const text = `Waiting for your consent… ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left${state === 'slow_down' ? ' (the proxy asked to poll slower)' : ''}`;
      if (tty) process.stderr.write(`\r${text}   `);
      else if (Date.now() - lastPlain >= 30_000) {
        lastPlain = Date.now();
        note(text);
      }
    },
    // One bar for all the run's metering calls (every kind), with an ETA; on a non-terminal
    // (Jeedom, cron) a plain line every tenth of the way.
    callsPlanned: (_kind: ReadingKind, total) => {
      plannedCalls += total;
      if (tty && plannedCalls >= 2 && !quiet) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: 'metering calls [{bar}] {value}/{total} · ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true, etaBuffer: 20 },
            cliProgress.Presets.shades_classic,
          );
          bar.start(plannedCalls, 0);
        } else bar.setTotal(plannedCalls);
      }
    },
    finished: () => {
      bar?.stop();
      bar = undefined;
    },
    callDone: () => {
      doneCalls++;
      if (bar) {
        bar.update(doneCalls);
        if (doneCalls >= plannedCalls) {
          bar.stop();
          bar = undefined;
        }
      } else if (!tty && plannedCalls >= 10 && doneCalls % Math.ceil(plannedCalls / 10) === 0) {
        note(`metering calls: ${doneCalls}/${plannedCalls} (${Math.round((100 * doneCalls) / plannedCalls)}%)`);
      }
    },
  };
}
