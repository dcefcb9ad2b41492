/**
 * `jeelinky status`: paired or not, PDL(s), access-token expiry, last reading per kind, pending
 * retry, pairing in progress, today's call count. Reads the state only: no network call, and no
 * lock either: it answers at once while a run is working, and says that one is (every state file
 * is replaced by an atomic rename, so a read never sees half a file).
 */
import moment from 'moment-timezone';
import type { CommandModule } from 'yargs';
import { KIND_INFO, READING_KINDS } from '../../plugin/readings.js';
import { maskSecret } from '../../plugin/secrets.js';
import { CallCounter } from '../../plugin/store/budget.js';
import { stateLockHeld } from '../../plugin/store/lock.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { StateStore } from '../../plugin/store/state.js';
import { TokenState } from '../../plugin/store/tokens.js';
import { dailyPoints, seedFigures } from '../../plugin/stats/figures.js';
import { addDays, localDay } from '../../plugin/time/local.js';
import { formatRanges, GAP_STATES, kindGaps, type GapState } from '../../plugin/runner/gaps.js';
import { printJson } from '../output.js';

/** How far back the figures look: "this year" and "last month" at most. */
const FIGURE_DAYS = 400;

const GAP_LABELS: Record<GapState, string> = {
  complete: 'complete',
  not_published: 'not yet published (retried)',
  retrying: 'no data yet (retried daily)',
  blacklisted: 'no data after 7 tries',
  never_asked: 'not fetched yet',
  before_history: "before the meter's history",
};
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { chooseUsagePoint } from '../../plugin/usage-point.js';

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
    const now = new Date();
    const today = localDay(now, config.tz);
    const runInProgress = await stateLockHeld(config.stateDir);
    const status = await readStatus(await StateStore.open(config.stateDir));
    async function readStatus(store: StateStore) {
      const state = new TokenState(store);
      const readings = new ReadingsStore(store);
      const tokens = await state.getTokens();
      const pairing = await state.getPairing();
      const retry = await state.getRetry();
      const calls = await new CallCounter(store).get(today);
      const usagePoints = tokens?.usagePoints ?? [];
      const pdl = chooseUsagePoint(config.usagePoint, usagePoints);
      const kinds = [];
      for (const kind of READING_KINDS) {
        if (!pdl) break;
        const lastDay = await readings.lastDayWithData(pdl, kind, today);
        const meta = await readings.meta(pdl, kind);
        const enabled = config.kinds.includes(kind);
        if (!lastDay && !enabled) continue;
        kinds.push({
          kind,
          unit: KIND_INFO[kind].unit,
          enabled,
          lastDay: lastDay ?? null,
          historyStart: meta.historyStart ?? null,
          unavailable: meta.unavailable?.reason ?? null,
        });
      }
      // The six figures, from what is stored now; "last day" is the newest complete day, not the
      // forum scenario's "2 days ago" (empty until Enedis has published it).
      let figures = null;
      if (pdl) {
        const daily = await readings.readings(pdl, 'daily_consumption', addDays(today, -FIGURE_DAYS), today);
        const records = await readings.dayRecords(pdl, 'daily_consumption', addDays(today, -FIGURE_DAYS), today);
        const newestComplete = [...records]
          .filter(([, r]) => r.status === 'complete')
          .map(([d]) => d)
          .sort()
          .at(-1);
        const lastReading = daily.find((r) => r.day === newestComplete);
        if (daily.length) {
          figures = {
            at: now.toISOString(),
            lastDay: newestComplete && lastReading ? { day: newestComplete, kwh: lastReading.value / 1000 } : null,
            figures: seedFigures(dailyPoints(daily.map((r) => ({ day: r.day, value: r.value }))), now, config.tz).map(
              ({ logicalId, start, end, kwh, days, periodDays }) => ({
                logicalId,
                start,
                end,
                kwh,
                days,
                periodDays,
                partial: kwh !== null && days < periodDays,
              }),
            ),
          };
        }
      }
      const gaps = argv.gaps && pdl ? await Promise.all(config.kinds.map((k) => kindGaps(readings, pdl, k, now, config.tz))) : undefined;
      return {
        stateDir: config.stateDir,
        runInProgress,
        paired: Boolean(tokens),
        usagePoints,
        usagePoint: pdl ?? null,
        accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
        accessTokenValid: tokens?.accessTokenExpiresAt ? Date.parse(tokens.accessTokenExpiresAt) > now.getTime() : false,
        refreshToken: tokens ? maskSecret(tokens.refreshToken) : null,
        lastRefreshAt: tokens?.refreshedAt ?? null,
        pairingInProgress:
          pairing && Date.parse(pairing.expiresAt) > now.getTime()
            ? { userCode: pairing.userCode, verificationUriComplete: pairing.verificationUriComplete, expiresAt: pairing.expiresAt }
            : null,
        pendingRetry: retry ? { retryAt: retry.retryAt, reason: retry.reason, code: retry.code } : null,
        callsToday: { metering: calls.metering, auth: calls.auth },
        kinds,
        figures,
        ...(gaps ? { gaps } : {}),
      };
    }
    if (argv.json) return printJson(status);
    const fmt = (iso: string | null) => (iso ? moment.tz(iso, config.tz).format('YYYY-MM-DD HH:mm') : 'unknown');
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
    if (status.figures) {
      // A figure built on fewer days than its period says so: "this year" from 7 stored days is not a year.
      const f = Object.fromEntries(
        status.figures.figures.map((x) => [
          x.logicalId,
          x.kwh === null ? '—' : `${x.kwh.toFixed(1)}${x.partial ? ` (partial: ${x.days} of ${x.periodDays} days)` : ''}`,
        ]),
      );
      const last = status.figures.lastDay;
      lines.push(
        `kWh:          last day ${last ? `${last.kwh.toFixed(1)} (${last.day})` : '—'} · this week ${f.stats_this_week_kwh} · last week ${f.stats_last_week_kwh} · this month ${f.stats_this_month_kwh} · last month ${f.stats_last_month_kwh} · this year ${f.stats_this_year_kwh}`,
      );
    }
    lines.push(`Calls today:  ${status.callsToday.metering} metering, ${status.callsToday.auth} pairing/refresh`);
    lines.push(
      status.pendingRetry
        ? `Pending retry: after ${fmt(status.pendingRetry.retryAt)} (${status.pendingRetry.reason})`
        : 'Pending retry: none',
    );
    for (const g of status.gaps ?? []) {
      lines.push(`\n${KIND_INFO[g.kind].label} — ${g.from} → ${g.to} (end excluded)`);
      for (const state of GAP_STATES) {
        if (!g.counts[state]) continue;
        lines.push(
          `  ${GAP_LABELS[state].padEnd(28)} ${String(g.counts[state]).padStart(5)} day(s)${state === 'complete' ? '' : `: ${formatRanges(g.ranges[state])}`}`,
        );
      }
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  },
};
