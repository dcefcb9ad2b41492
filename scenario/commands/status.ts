/**
 * `jeelinky status`: paired or not, PDL(s), access-token expiry, last reading per kind, pending
 * retry, pairing in progress, today's call count. Reads the state only (plugin/runner/status.ts:
 * no network call, no lock) and renders it.
 */
import moment from 'moment-timezone';
import type { CommandModule } from 'yargs';
import { KIND_INFO } from '../../plugin/readings.js';
import { formatRanges, GAP_STATES, type GapState } from '../../plugin/runner/gaps.js';
import { readStatus, type StatusFigures, type StatusReport } from '../../plugin/runner/status.js';
import { printJson } from '../output.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';

const GAP_LABELS: Record<GapState, string> = {
  complete: 'complete',
  not_published: 'not yet published (retried)',
  retrying: 'no data yet (retried daily)',
  blacklisted: 'no data after 7 tries',
  never_asked: 'not fetched yet',
  before_history: "before the meter's history",
};

interface StatusArgs extends CommonArgs {
  gaps?: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show pairing, token expiry, the newest reading of each kind and any pending retry',
  builder: (y) =>
    withCommonOptions(y).option('gaps', {
      type: 'boolean',
      describe:
        'Per kind, the state of every day Enedis keeps: complete, not yet published, retrying, given up after 7 tries, never asked, before history',
    }),
  handler: async (argv) => {
    const config = configFromArgs(argv);
    const status = await readStatus(config, { gaps: argv.gaps });
    if (argv.json) return printJson(status);
    process.stdout.write(`${renderStatus(status, config.tz).join('\n')}\n`);
  },
};

/** The status as text lines, times in `tz`. */
function renderStatus(status: StatusReport, tz: string): string[] {
  const fmt = (iso: string | null) => (iso ? moment.tz(iso, tz).format('YYYY-MM-DD HH:mm') : 'unknown');
  const lines = [
    `State:        ${status.stateDir}`,
    ...(status.runInProgress ? ['Run:          a run is in progress: what follows may change when it ends'] : []),
    `Paired:       ${status.paired ? `yes, PDL ${status.usagePoints.join(', ') || '(none announced)'}` : 'no — run "jeelinky pair"'}`,
  ];
  if (status.paired) {
    lines.push(
      `Access token: ${status.accessTokenValid ? 'valid' : 'expired (renewed at the next run)'} until ${fmt(status.accessTokenExpiresAt)}`,
    );
    lines.push(`Refresh token: ${status.refreshToken}${status.lastRefreshAt ? `, last used ${fmt(status.lastRefreshAt)}` : ''}`);
  }
  if (status.pairingInProgress)
    lines.push(
      `Pairing:      code ${status.pairingInProgress.userCode} waiting for approval until ${fmt(status.pairingInProgress.expiresAt)}`,
    );
  for (const k of status.kinds) {
    const label = KIND_INFO[k.kind].label.padEnd(23);
    lines.push(
      `${label} ${k.lastDay ? `newest day ${k.lastDay}` : 'nothing stored yet'}${k.enabled ? '' : ' (not in JEELINKY_KINDS)'}${k.unavailable ? ` — not available: ${k.unavailable}` : ''}`,
    );
  }
  if (status.figures) lines.push(figuresLine(status.figures));
  lines.push(`Calls today:  ${status.callsToday.metering} metering, ${status.callsToday.auth} pairing/refresh`);
  lines.push(
    status.pendingRetry
      ? `Pending retry: after ${fmt(status.pendingRetry.retryAt)} (${status.pendingRetry.reason})`
      : 'Pending retry: none',
  );
  lines.push(...gapLines(status));
  return lines;
}

/** The six figures on one line. */
function figuresLine(figures: StatusFigures): string {
  // A figure built on fewer days than its period says so: "this year" from 7 stored days is not a year.
  const f = Object.fromEntries(
    figures.figures.map((x) => [
      x.logicalId,
      x.kwh === null ? '—' : `${x.kwh.toFixed(1)}${x.partial ? ` (partial: ${x.days} of ${x.periodDays} days)` : ''}`,
    ]),
  );
  const last = figures.lastDay;
  return `kWh:          last day ${last ? `${last.kwh.toFixed(1)} (${last.day})` : '—'} · this week ${f.stats_this_week_kwh} · last week ${f.stats_last_week_kwh} · this month ${f.stats_this_month_kwh} · last month ${f.stats_last_month_kwh} · this year ${f.stats_this_year_kwh}`;
}

/** `--gaps`: per kind, a count and the day ranges of each state. */
function gapLines(status: StatusReport): string[] {
  const lines: string[] = [];
  for (const g of status.gaps ?? []) {
    lines.push(`\n${KIND_INFO[g.kind].label} — ${g.from} → ${g.to} (end excluded)`);
    for (const state of GAP_STATES) {
      if (!g.counts[state]) continue;
      lines.push(
        `  ${GAP_LABELS[state].padEnd(28)} ${String(g.counts[state]).padStart(5)} day(s)${state === 'complete' ? '' : `: ${formatRanges(g.ranges[state])}`}`,
      );
    }
  }
  return lines;
}
