/**
 * Human-readable rendering of run reports, pairing instructions and progress, on the terminal.
 * Data goes to stdout; progress and notes go to stderr so that `--json` stdout stays clean.
 */
import cliProgress from 'cli-progress';
import moment from 'moment-timezone';
import type { Pairing } from '../plugin/store/tokens.js';
import { KIND_INFO } from '../plugin/readings.js';
import type { BackfillLeft, KindReport, RunEvents, RunReport } from '../plugin/runner/types.js';

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
  const lines = [head];
  for (const w of k.warnings ?? []) lines.push(`    warning: ${w}`);
  if (k.droppedWarnings) lines.push(`    warning: ${k.droppedWarnings} more warning(s) of the same kind, not listed`);
  if (k.status === 'error') lines.push(`    error: ${k.error?.message}`);
  return lines.join('\n');
}

function shortList(days: string[]): string {
  return days.length <= 4 ? days.join(', ') : `${days.slice(0, 2).join(', ')} … ${days.at(-1)}`;
}

export function renderRunReport(r: RunReport, tz: string): string {
  const lines: string[] = [];
  if (r.pairing) lines.push(pairingInstructions(r.pairing, tz));
  if (r.tokens?.paired) {
    const exp = r.tokens.accessTokenExpiresAt ? moment.tz(r.tokens.accessTokenExpiresAt, tz).format('YYYY-MM-DD HH:mm') : 'unknown';
    if (r.tokens.refreshed)
      lines.push(`Access token renewed (valid until ${exp}).${r.tokens.rotated ? ' The proxy issued a new refresh token: saved.' : ''}`);
  }
  for (const k of r.kinds) lines.push(kindLine(k));
  if (r.kinds.length) lines.push(`${plural(r.meteringCalls, 'metering call')} this run.`);
  for (const sink of r.sinks) {
    lines.push(
      sink.error?.code === 'interrupted'
        ? `${sink.sink.padEnd(23)} interrupted: ${sink.written} written; the rest stays pending for the next run`
        : sink.error
          ? `${sink.sink.padEnd(23)} error: ${sink.error.message} (${sink.written} written; whatever is missing is retried at the next run from the store)`
          : `${sink.sink.padEnd(23)} ${sink.written} written, ${sink.skipped} already there, ${sink.corrected} corrected${sink.failed ? `, ${sink.failed} failed` : ''}`,
    );
    for (const w of sink.warnings ?? []) lines.push(`${''.padEnd(23)} warning: ${w}`);
  }
  if (r.tariff?.error) lines.push(r.tariff.error);
  else if (r.tariff?.days || r.tariff?.tempo) {
    if (r.tariff.days)
      lines.push(
        `HP/HC and cost: ${plural(r.tariff.days, 'complete day')} for the sinks (windows: ${r.tariff.windows}, plan ${r.tariff.plan}).`,
      );
    if (r.tariff.tempo)
      lines.push(`Tempo: ${plural(r.tariff.tempo.days, 'complete Tempo day')} for the sinks (calendar: ${r.tariff.tempo.source}).`);
    for (const n of r.tariff.notes) lines.push(`note: ${n}`);
  }
  if (r.backfill) lines.push(backfillLine(r.backfill, tz));
  if (r.retryAt) lines.push(`Run again after ${moment.tz(r.retryAt, tz).format('YYYY-MM-DD HH:mm')} (exit code 75).`);
  return lines.join('\n');
}

/** What is left of a backfill the day's budget cut, and when the next run goes on with it. */
export function backfillLine(b: BackfillLeft, tz: string): string {
  const runs = b.runsNeeded === null ? '' : ` (${plural(b.runsNeeded, 'more daily run')} at ${b.dailyBudget} calls a day)`;
  const when = b.continuesAt
    ? `the first run after ${moment.tz(b.continuesAt, tz).format('YYYY-MM-DD HH:mm')} goes on with it`
    : 'the next run goes on with it';
  return `Backfill: ${plural(b.callsLeft, 'metering call')} left${runs}; today's budget is spent, ${when}.`;
}

/** One line per failure of the run, for stderr (the summary on stdout keeps them too, per kind). */
export function failureLines(r: RunReport): string[] {
  // A stop by SIGINT/SIGTERM was said once, when the signal came (scenario/signals.ts).
  const lines = r.error && r.error.code !== 'interrupted' ? [r.error.message] : [];
  for (const k of r.kinds) if (k.status === 'error' && k.error && k.error.code !== 'interrupted') lines.push(k.error.message);
  for (const sink of r.sinks) if (sink.error && sink.error.code !== 'interrupted') lines.push(`${sink.sink}: ${sink.error.message}`);
  return lines.map((l) => `jeelinky: ${l}`);
}

/** Progress bars and countdowns on stderr when it is a terminal; sparse plain lines otherwise. */
export function terminalEvents(tz: string, quiet: boolean): RunEvents {
  const tty = process.stderr.isTTY === true;
  let bar: cliProgress.SingleBar | undefined;
  let lastPlain = 0;
  let plannedCalls = 0;
  let doneCalls = 0;
  // After SIGINT/SIGTERM nothing more is drawn: the signal's line is the last word.
  let stopped = false;
  // A countdown drawn with \r and no newline is on the screen.
  let openLine = false;
  const note = (line: string) => {
    if (!quiet && !stopped) process.stderr.write(`${line}\n`);
  };
  return {
    info: note,
    pairingCode: (p) => note(pairingInstructions(p, tz)),
    waiting: (left, state) => {
      const text = `Waiting for your consent… ${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')} left${state === 'slow_down' ? ' (the proxy asked to poll slower)' : ''}`;
      if (stopped) return;
      if (tty) {
        process.stderr.write(`\r${text}   `);
        openLine = true;
      } else if (Date.now() - lastPlain >= 30_000) {
        lastPlain = Date.now();
        note(text);
      }
    },
    // One bar for all the run's metering calls (every kind), with an ETA; on a non-terminal
    // (Jeedom, cron) a plain line every tenth of the way.
    // The total is what this run may spend (the budget left today), not the whole backfill.
    callsPlanned: (total) => {
      plannedCalls = total;
      if (tty && plannedCalls >= 2 && !quiet && !stopped) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: 'metering calls [{bar}] {value}/{total} · ETA {eta_formatted}',
              stream: process.stderr,
              hideCursor: true,
              clearOnComplete: true,
              etaBuffer: 20,
            },
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
    interrupted: () => {
      stopped = true;
      // The bar clears its own line when stopped (clearOnComplete); a countdown needs a newline.
      bar?.stop();
      bar = undefined;
      if (openLine) process.stderr.write('\n');
      openLine = false;
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
