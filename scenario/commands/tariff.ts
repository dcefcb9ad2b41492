/**
 * `jeelinky tariff`: the HP/HC split of the stored load curve, its cost under the current plan and
 * the other one, and which plan would have been cheaper over the last 12 months. Reads the store;
 * the only call it may make is the contract (once, when it is not cached and jeelinky is paired),
 * and a refusal or an outage there only adds a note.
 */
import moment from 'moment-timezone';
import type { CommandModule } from 'yargs';
import type { JeelinkyConfig } from '../../plugin/config.js';
import { loadCustomerResource, type AddressRecord, type Contract } from '../../plugin/enedis/customers.js';
import { LinkySession } from '../../plugin/enedis/session.js';
import { ConfigError, UsageError } from '../../plugin/errors.js';
import { ReadingsStore } from '../../plugin/store/readings.js';
import { TokenState } from '../../plugin/store/tokens.js';
import { addDays, localDay } from '../../plugin/time/local.js';
import {
  buildTariffReport,
  chooseSchedule,
  formatPrice,
  formatWindows,
  parsePlan,
  planOfContract,
  PRICE_FIELDS,
  resolveTariffSettings,
  TEMPO_PRICE_FIELDS,
  type Plan,
  type TariffPeriod,
  type TariffReport,
} from '../../plugin/tariff/index.js';
import type { ColourOf } from '../../plugin/tempo/colours.js';
import { calendarNote, loadCalendarFor, tempoInUse } from '../tempo-calendar.js';
import { resolveDayRange } from '../dates.js';
import { printJson } from '../output.js';
import { withState } from '../steps.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';

export interface TariffOptions {
  /** Inclusive days, already resolved; defaults: 12 whole months up to the newest load-curve day. */
  since?: string;
  until?: string;
  refreshContract?: boolean;
  refreshAddresses?: boolean;
  offpeakHours?: string;
  plan?: string;
  now?: Date;
  env?: NodeJS.ProcessEnv;
  /**
   * The Tempo calendar. Not given: loaded (RTE, its cache, JEELINKY_TEMPO_FILE) over the range when
   * Tempo is in use (scenario/tempo-calendar.ts); a failed calendar only leaves days without colour.
   */
  colourOf?: ColourOf;
}

export interface TariffOutput extends TariffReport {
  usage_point: string;
  from: string;
  to: string;
  current_plan: Plan;
  /** Where the plan comes from: settings (JEELINKY_CURRENT_PLAN), contract (its tariff option) or default (BASE). */
  plan_source: 'settings' | 'contract' | 'default';
  /** Where the off-peak windows come from: settings, contract, or none (HP/HC cannot be priced). */
  windows_source: 'settings' | 'contract' | 'none';
  windows: Array<{ from: string | null; windows: string; source: string }>;
  prices: Array<{ from: string | null } & Record<string, string | null>>;
  contract: Contract | null;
  address: AddressRecord | null;
  /** Contract and address fetches made by this command (0 when cached). */
  calls: number;
  notes: string[];
  /** Only when the calendar was loaded (Tempo in use): where the colours came from, and what failed. */
  tempo_calendar?: { source: string; calls: number; days_without_colour: number; error: { code: string; message: string } | null };
}

export async function computeTariff(config: JeelinkyConfig, opts: TariffOptions = {}): Promise<TariffOutput> {
  const settings = resolveTariffSettings(config, { offpeakHours: opts.offpeakHours, currentPlan: opts.plan }, opts.env);
  const now = opts.now ?? new Date();
  return withState(config, async (store) => {
    const notes: string[] = [];
    const tokens = await new TokenState(store).getTokens();
    const usagePoint = config.usagePoint ?? (tokens?.usagePoints.length === 1 ? tokens.usagePoints[0] : undefined);
    if (!usagePoint) {
      throw new ConfigError(
        tokens ? `your consent covers several PDLs (${tokens.usagePoints.join(', ')}): choose one with --usage-point or JEELINKY_USAGE_POINT_ID` : 'no PDL known: pair first with "jeelinky pair", or set JEELINKY_USAGE_POINT_ID',
        'usage_point_unknown',
      );
    }
    const session = new LinkySession(config, store, { now: () => now });
    let calls = 0;
    // The contract gives the windows and the plan; it is only asked for when one of them is missing.
    const needContract = Boolean(opts.refreshContract || !settings.offpeakOverride || !settings.currentPlan);
    let contract: Contract | undefined;
    if (needContract) {
      const got = await loadCustomerResource<Contract>(session, 'contract', usagePoint, { refresh: opts.refreshContract, offline: !tokens });
      calls += got.calls;
      contract = got.value;
      if (got.note && tokens) notes.push(`${got.note}${settings.offpeakOverride ? '; your own off-peak windows are used' : ''}`);
      if (got.source === 'cache' && got.note) notes.push('the contract cached earlier is used');
    }
    let address: AddressRecord | undefined;
    if (opts.refreshAddresses) {
      const got = await loadCustomerResource<AddressRecord>(session, 'addresses', usagePoint, { refresh: true, offline: !tokens });
      calls += got.calls;
      address = got.value;
      if (got.note) notes.push(got.note);
      if (!tokens) notes.push('addresses not refreshed: jeelinky is not paired');
    } else {
      address = (await loadCustomerResource<AddressRecord>(session, 'addresses', usagePoint, { offline: true })).value;
    }

    const readings = new ReadingsStore(store);
    const today = localDay(now, config.tz);
    const until = opts.until ?? (await readings.lastDayWithData(usagePoint, 'load_curve', today)) ?? addDays(today, -1);
    let since = opts.since ?? moment.utc(until, 'YYYY-MM-DD').startOf('month').subtract(11, 'months').format('YYYY-MM-DD');
    if (since > until) throw new ConfigError(`--since ${since} is after --until ${until}`, 'bad_range');
    const start12 = moment.utc(until, 'YYYY-MM-DD').subtract(1, 'year').add(1, 'day').format('YYYY-MM-DD');
    const readFrom = since < start12 ? since : start12;
    const end = addDays(until, 1);
    const curve = await readings.readings(usagePoint, 'load_curve', readFrom, end);
    const daily = await readings.readings(usagePoint, 'daily_consumption', readFrom, end);
    // By default the range starts where the stored curve starts, not with months of nothing.
    const firstCurveDay = curve.find((r) => r.day >= since)?.day;
    if (!opts.since && firstCurveDay && firstCurveDay > since) since = firstCurveDay;

    const choice = chooseSchedule(settings, contract, { from: readFrom, to: until });
    notes.push(...choice.notes);
    if (choice.source === 'none') {
      notes.push(
        contract && !contract.offpeakHours
          ? 'the contract has no off-peak hours (BASE option): HP/HC figures need JEELINKY_OFFPEAK_HOURS, e.g. "22h00-06h00"'
          : 'no off-peak windows known: set JEELINKY_OFFPEAK_HOURS, e.g. "22h00-06h00;12h30-14h30", to split HP/HC',
      );
    }
    const contractPlan = planOfContract(contract);
    const plan: Plan = settings.currentPlan ?? contractPlan ?? 'BASE';
    const planSource = settings.currentPlan ? 'settings' : contractPlan ? 'contract' : 'default';
    const p = settings.prices.at(until);
    if ((p.subscriptionBase === undefined) !== (p.subscriptionHphc === undefined)) {
      notes.push('a subscription price is given for one plan only: set both JEELINKY_SUBSCRIPTION_BASE and JEELINKY_SUBSCRIPTION_HPHC for a fair comparison');
    }
    if (settings.prices.isEmpty()) notes.push('no prices set: costs need JEELINKY_PRICE_BASE, JEELINKY_PRICE_HP and JEELINKY_PRICE_HC (€ per kWh)');
    const subs = [p.subscriptionBase, p.subscriptionHphc, p.subscriptionTempo].filter((v) => v !== undefined).length;
    if (settings.prices.hasTempo() && subs > 0 && subs < 3) {
      notes.push('the three-plan comparison needs every subscription: set JEELINKY_SUBSCRIPTION_BASE, _HPHC and _TEMPO (€ per month)');
    }
    if (curve.length === 0) notes.push(`no load curve stored for ${since} → ${until}: fetch it with "jeelinky run" (load_curve in JEELINKY_KINDS)`);
    const changes = settings.prices.changesWithin(since, until);
    if (changes.length) notes.push(`prices change on ${changes.join(', ')}`);

    // The Tempo calendar over every Tempo day the curve read can touch (00:00–06:00 of readFrom is the day before).
    let colourOf = opts.colourOf;
    let calendar: TariffOutput['tempo_calendar'];
    if (!colourOf && tempoInUse(config, plan, settings.prices, opts.env)) {
      const cal = await loadCalendarFor(config, { from: addDays(readFrom, -1), to: until }, now, { env: opts.env });
      colourOf = cal.colourOf;
      calendar = { source: cal.source, calls: cal.calls, days_without_colour: cal.missing.length, error: cal.error ? { code: cal.error.code, message: cal.error.message } : null };
      const note = calendarNote(cal);
      if (note) notes.push(note);
    }
    const report = buildTariffReport({ from: since, to: until, curve, daily, schedule: choice.schedule, prices: settings.prices, plan, tz: config.tz, colourOf });
    if (report.tempo) {
      const t = report.tempo;
      if (t.days_without_colour) notes.push(`Tempo: ${t.days_without_colour} day(s) have no known colour: their energy (${t.unknown_wh} Wh) is left out of the Tempo costs, which are partial`);
      if (t.days_without_price) notes.push('Tempo: a colour\'s price is missing: set the six JEELINKY_PRICE_TEMPO_{BLUE,WHITE,RED}_{HP,HC} (€ per kWh)');
      if (t.comparison.partial) notes.push(`the three-plan comparison covers the ${t.comparison.compared_days} of ${t.comparison.days_with_curve} days whose Tempo colours are known`);
    }
    const c12 = report.comparison.last_12_months;
    if (c12.days_with_curve < c12.days_in_period) {
      notes.push(`the 12-month comparison covers ${c12.days_with_curve} of ${c12.days_in_period} days (the load curve is missing for the others)`);
    }
    const incomplete = report.days.filter((d) => d.points > 0 && !d.complete).length;
    if (incomplete) notes.push(`${incomplete} day(s) have an incomplete load curve: their HP/HC total is below the daily consumption (see difference_wh)`);

    return {
      usage_point: usagePoint,
      from: since,
      to: until,
      current_plan: plan,
      plan_source: planSource,
      windows_source: choice.source,
      windows: choice.schedule.periods.map((p) => ({ from: p.from ?? null, windows: formatWindows(p.set.windows), source: p.source })),
      prices: pricesOut(settings.prices, since, until),
      contract: contract ?? null,
      address: address ?? null,
      calls,
      notes,
      ...(calendar ? { tempo_calendar: calendar } : {}),
      ...report,
    };
  });
}

function pricesOut(prices: ReturnType<typeof resolveTariffSettings>['prices'], since: string, until: string): TariffOutput['prices'] {
  const starts = [since, ...prices.changesWithin(since, until)];
  return starts.map((day, i) => {
    const p = prices.at(day);
    const row: { from: string | null } & Record<string, string | null> = { from: i === 0 ? null : day };
    // Tempo keys only when a Tempo price is set, so the BASE/HP-HC rows keep their shape.
    const fields = prices.hasTempo() ? [...PRICE_FIELDS, ...TEMPO_PRICE_FIELDS] : PRICE_FIELDS;
    for (const f of fields) row[f] = p[f] === undefined ? null : formatPrice(p[f]!);
    return row;
  });
}

// ------------------------------------------------------------------ rendering

const kwh = (wh: number | null) => (wh === null ? '—' : (wh / 1000).toFixed(3));
const euro = (v: number | null) => (v === null ? '—' : v.toFixed(2));

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function periodRows(list: TariffPeriod[]): string[][] {
  return list.map((p) => [
    p.period,
    p.days_without_curve ? `${p.days} of ${p.days + p.days_without_curve}` : String(p.days),
    kwh(p.hp_wh),
    kwh(p.hc_wh),
    kwh(p.total_wh),
    kwh(p.daily_wh),
    euro(p.cost_base),
    euro(p.cost_hphc),
  ]);
}

export function renderTariff(out: TariffOutput, by: 'day' | 'month'): string {
  const lines: string[] = [];
  lines.push(`PDL ${out.usage_point} · ${out.from} → ${out.to} · current plan ${out.current_plan} (${out.plan_source})`);
  lines.push(`Off-peak windows (${out.windows_source}): ${out.windows.map((w) => `${w.from ? `from ${w.from} ` : ''}${w.windows || 'none'}`).join(' · ') || 'none'}`);
  lines.push('');
  if (by === 'day') {
    lines.push(
      table(
        ['day', 'HP kWh', 'HC kWh', 'curve kWh', 'daily kWh', 'diff Wh', 'BASE €', 'HP/HC €'],
        out.days.map((d) => [d.date + (d.complete ? '' : ' *'), kwh(d.hp_wh), kwh(d.hc_wh), kwh(d.total_wh), kwh(d.daily_wh), d.difference_wh === null ? '—' : String(d.difference_wh), euro(d.cost_base), euro(d.cost_hphc)]),
      ),
    );
    if (out.days.some((d) => !d.complete)) lines.push('* load curve incomplete that day');
  } else {
    lines.push(table(['month', 'days', 'HP kWh', 'HC kWh', 'curve kWh', 'daily kWh', 'BASE €', 'HP/HC €'], periodRows(out.months)));
  }
  lines.push('');
  lines.push(table(['year', 'days', 'HP kWh', 'HC kWh', 'curve kWh', 'daily kWh', 'BASE €', 'HP/HC €'], periodRows(out.years)));
  const c = out.comparison;
  lines.push('');
  lines.push(`${out.from} → ${out.to}: ${c.current_plan} (current) ${euro(c.cost_current)} € · ${c.other_plan} ${euro(c.cost_other)} €` + (c.difference === null ? '' : ` · the ${c.difference >= 0 ? 'current plan saves' : 'other plan would save'} ${euro(Math.abs(c.difference))} €`));
  const y = c.last_12_months;
  lines.push(
    `Last 12 months (${y.from} → ${y.to}, ${y.days_with_curve}/${y.days_in_period} days): BASE ${euro(y.cost_base)} € · HP/HC ${euro(y.cost_hphc)} €` +
      (y.cheaper === null ? ' · cannot tell which plan is cheaper (prices or windows missing)' : y.cheaper === 'equal' ? ' · both cost the same' : ` · ${y.cheaper === 'HPHC' ? 'HP/HC' : 'BASE'} is cheaper by ${euro(y.saving)} €`),
  );
  if (out.tempo) lines.push('', ...renderTempo(out.tempo, out.current_plan));
  for (const n of out.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);

function renderTempo(t: NonNullable<TariffOutput['tempo']>, current: Plan): string[] {
  const lines: string[] = [];
  const rows = (list: typeof t.months) =>
    list.map((m) => [
      m.period,
      `${m.blue_days}/${m.white_days}/${m.red_days}` + (m.days_without_colour ? ` ?${m.days_without_colour}` : ''),
      kwh(m.blue_hp_wh),
      kwh(m.blue_hc_wh),
      kwh(m.white_hp_wh),
      kwh(m.white_hc_wh),
      kwh(m.red_hp_wh),
      kwh(m.red_hc_wh),
      kwh(m.unknown_wh),
      euro(m.cost) + (m.partial && m.cost !== null ? ' *' : ''),
    ]);
  const head = ['Tempo', 'B/W/R days', 'blue HP', 'blue HC', 'white HP', 'white HC', 'red HP', 'red HC', 'no colour', 'Tempo €'];
  lines.push(table(head, [...rows(t.months), ...rows(t.seasons)]));
  lines.push('Tempo days run 06:00 → 06:00 (the night is HC of the day before); energies in kWh' + (t.partial ? '; * partial: days without colour or price left out' : ''));
  const c = t.comparison;
  const partial = c.partial ? ` (the ${c.compared_days} of ${c.days_with_curve} days whose colours are known; ${c.days_without_colour} day(s) without colour)` : '';
  lines.push(`Last 12 months (${c.from} → ${c.to})${partial}: BASE ${euro(c.cost_base)} € · HP/HC ${euro(c.cost_hphc)} € · Tempo ${euro(c.cost_tempo)} €`);
  if (c.cost_tempo !== null && current !== 'TEMPO') {
    const vs = current === 'BASE' ? c.tempo_saving_vs_base : c.tempo_saving_vs_hphc;
    lines.push(`With Tempo you would have paid ${euro(c.cost_tempo)} €` + (vs === null ? '' : `: ${euro(Math.abs(vs))} € ${vs >= 0 ? 'less' : 'more'} than ${current === 'HPHC' ? 'HP/HC' : 'BASE'}`));
  }
  lines.push(c.cheapest === null ? 'Cheapest: cannot tell (a price is missing)' : c.cheapest === 'equal' ? 'Cheapest: a tie' : `Cheapest: ${c.cheapest === 'HPHC' ? 'HP/HC' : c.cheapest === 'TEMPO' ? 'Tempo' : 'BASE'}`);
  lines.push(`Red days: ${c.red_days}, ${pct(c.red_energy_share)} of the energy, ${pct(c.red_cost_share)} of the Tempo cost (${euro(c.red_cost)} €)`);
  return lines;
}

interface TariffArgs extends CommonArgs {
  since?: string;
  until?: string;
  by?: string;
  'refresh-contract'?: boolean;
  'refresh-addresses'?: boolean;
  'offpeak-hours'?: string;
  plan?: string;
}

export const tariffCommand: CommandModule<object, TariffArgs> = {
  command: 'tariff',
  describe: 'HP/HC split of the load curve, costs under BASE and HP/HC (and Tempo: colours from RTE or your file, six sub-counters), and which plan is cheaper',
  builder: (y) =>
    withCommonOptions(y)
      .option('since', { type: 'string', describe: 'First day: YYYY-MM-DD or an expression ("first day of -11 months"); default: 12 whole months up to --until' })
      .option('until', { type: 'string', describe: 'Last day (included); default: the newest day with a load curve' })
      .option('by', { type: 'string', choices: ['day', 'month'], describe: 'Table rows (default: day up to 62 days, else month)' })
      .option('offpeak-hours', { type: 'string', describe: 'Off-peak windows "22h00-06h00;12h30-14h30" [JEELINKY_OFFPEAK_HOURS; default: the contract\'s]' })
      .option('plan', { type: 'string', describe: 'Current plan BASE, HPHC or TEMPO [JEELINKY_CURRENT_PLAN; default: the contract\'s option, else BASE]' })
      .option('refresh-contract', { type: 'boolean', describe: 'Ask the proxy for the contract again (after a change of option or windows)' })
      .option('refresh-addresses', { type: 'boolean', describe: 'Ask the proxy for the address again (after a move)' })
      .example('$0 tariff', 'Last 12 months, by month, with the plan comparison')
      .example('$0 tariff --since 2024-01-01 --until 2024-01-31 --json', 'One month, day by day, as JSON'),
  handler: async (argv) => {
    // --plan is an enum typed on the command line: refused as such (64), under its own name.
    if (argv.plan !== undefined) {
      try {
        parsePlan('--plan', argv.plan);
      } catch (e) {
        throw new UsageError((e as Error).message, 'bad_flag');
      }
    }
    const config = configFromArgs(argv);
    const now = new Date();
    const { since, until } = resolveDayRange(argv, now, config.tz);
    const out = await computeTariff(config, {
      since,
      until,
      refreshContract: argv['refresh-contract'],
      refreshAddresses: argv['refresh-addresses'],
      offpeakHours: argv['offpeak-hours'],
      plan: argv.plan,
      now,
    });
    if (argv.json) return printJson(out);
    const by = (argv.by as 'day' | 'month' | undefined) ?? (out.days.length <= 62 ? 'day' : 'month');
    process.stdout.write(renderTariff(out, by) + '\n');
  },
};
