/**
 * `jeelinky status`: paired or not, PDL(s), access-token expiry, last reading per kind, pending
 * retry, pairing in progress, today's call count. Reads the state only: no network call.
 */
import moment from 'moment-timezone';
import type { CommandModule } from 'yargs';
import { z } from 'zod';
import { KIND_INFO, READING_KINDS } from '../../plugin/readings.js';
import { maskSecret } from '../../plugin/secrets.js';
import { CallCounter } from '../../plugin/store/budget.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { TokenState } from '../../plugin/store/tokens.js';
import { localDay } from '../../plugin/time/local.js';
import { formatRanges, GAP_STATES, kindGaps, type GapState } from '../gaps.js';
import { printJson } from '../output.js';

const summarySchema = z.object({
  at: z.string(),
  figures: z.array(z.object({ logicalId: z.string(), start: z.string(), end: z.string(), kwh: z.number().nullable(), days: z.number() })),
});

const GAP_LABELS: Record<GapState, string> = {
  complete: 'complete',
  not_published: 'not yet published (retried)',
  retrying: 'no data yet (retried daily)',
  blacklisted: 'no data after 7 tries',
  never_asked: 'not fetched yet',
  before_history: "before the meter's history",
};
import { withState } from '../steps.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';

interface StatusArgs extends CommonArgs {
  gaps?: boolean;
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: 'status',
  describe: 'Show pairing, token expiry, the newest reading of each kind and any pending retry',
  builder: (y) =>
    withCommonOptions(y).option('gaps', {
      type: 'boolean',
      describe: 'Per kind, the state of every day Enedis keeps: complete, not yet published, retrying, given up after 7 tries, never asked, before history',
    }),
  handler: async (argv) => {
    const config = configFromArgs(argv);
    const now = new Date();
    const today = localDay(now, config.tz);
    const status = await withState(config, async (store) => {
      const state = new TokenState(store);
      const readings = new ReadingsStore(store);
      const tokens = await state.getTokens();
      const pairing = await state.getPairing();
      const retry = await state.getRetry();
      const calls = await new CallCounter(store).get(today);
      const usagePoints = tokens?.usagePoints ?? [];
      const pdl = config.usagePoint ?? (usagePoints.length === 1 ? usagePoints[0] : undefined);
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
      const summary = pdl ? await store.read(`summary:${pdl}`, summarySchema) : undefined;
      const gaps = argv.gaps && pdl ? await Promise.all(config.kinds.map((k) => kindGaps(readings, pdl, k, now, config.tz))) : undefined;
      return {
        stateDir: config.stateDir,
        paired: Boolean(tokens),
        usagePoints,
        usagePoint: pdl ?? null,
        accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
        accessTokenValid: tokens?.accessTokenExpiresAt ? Date.parse(tokens.accessTokenExpiresAt) > now.getTime() : false,
        refreshToken: tokens ? maskSecret(tokens.refreshToken) : null,
        lastRefreshAt: tokens?.refreshedAt ?? null,
        pairingInProgress: pairing && Date.parse(pairing.expiresAt) > now.getTime() ? { userCode: pairing.userCode, verificationUriComplete: pairing.verificationUriComplete, expiresAt: pairing.expiresAt } : null,
        pendingRetry: retry ? { retryAt: retry.retryAt, reason: retry.reason, code: retry.code } : null,
        callsToday: { metering: calls.metering, auth: calls.auth },
        kinds,
        figures: summary ?? null,
        ...(gaps ? { gaps } : {}),
      };
    });
    if (argv.json) return printJson(status);
    const fmt = (iso: string | null) => (iso ? moment.tz(iso, config.tz).format('YYYY-MM-DD HH:mm') : 'unknown');
    const lines = [
      `State:        ${status.stateDir}`,
      `Paired:       ${status.paired ? `yes, PDL ${status.usagePoints.join(', ') || '(none announced)'}` : 'no — run "jeelinky pair"'}`,
    ];
    if (status.paired) {
      lines.push(`Access token: ${status.accessTokenValid ? 'valid' : 'expired (renewed at the next run)'} until ${fmt(status.accessTokenExpiresAt)}`);
      lines.push(`Refresh token: ${status.refreshToken}${status.lastRefreshAt ? `, last used ${fmt(status.lastRefreshAt)}` : ''}`);
    }
    if (status.pairingInProgress) lines.push(`Pairing:      code ${status.pairingInProgress.userCode} waiting for approval until ${fmt(status.pairingInProgress.expiresAt)}`);
    for (const k of status.kinds) {
      const label = KIND_INFO[k.kind].label.padEnd(23);
      lines.push(`${label} ${k.lastDay ? `newest day ${k.lastDay}` : 'nothing stored yet'}${k.enabled ? '' : ' (not in JEELINKY_KINDS)'}${k.unavailable ? ` — not available: ${k.unavailable}` : ''}`);
    }
    if (status.figures) {
      const f = Object.fromEntries(status.figures.figures.map((x) => [x.logicalId, x.kwh === null ? '—' : x.kwh.toFixed(1)]));
      lines.push(
        `kWh:          last day ${f.stats_day_kwh} · this week ${f.stats_this_week_kwh} · last week ${f.stats_last_week_kwh} · this month ${f.stats_this_month_kwh} · last month ${f.stats_last_month_kwh} · this year ${f.stats_this_year_kwh} (as of ${fmt(status.figures.at)})`,
      );
    }
    lines.push(`Calls today:  ${status.callsToday.metering} metering, ${status.callsToday.auth} pairing/refresh`);
    lines.push(status.pendingRetry ? `Pending retry: after ${fmt(status.pendingRetry.retryAt)} (${status.pendingRetry.reason})` : 'Pending retry: none');
    for (const g of status.gaps ?? []) {
      lines.push(`\n${KIND_INFO[g.kind].label} — ${g.from} → ${g.to} (end excluded)`);
      for (const state of GAP_STATES) {
        if (!g.counts[state]) continue;
        lines.push(`  ${GAP_LABELS[state].padEnd(28)} ${String(g.counts[state]).padStart(5)} day(s)${state === 'complete' ? '' : `: ${formatRanges(g.ranges[state])}`}`);
      }
    }
    process.stdout.write(lines.join('\n') + '\n');
  },
};
