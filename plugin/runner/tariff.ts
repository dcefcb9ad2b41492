/**
 * The tariff use case: the HP/HC split, Tempo, costs and the plan comparison of the stored load curve
 * (reads the store, the cached contract and the Tempo calendar). `jeelinky tariff` renders it.
 */
import moment from 'moment-timezone';
import type { JeelinkyConfig } from '../config.js';
import { loadCustomerResource, type AddressRecord, type Contract } from '../enedis/customers.js';
import { LinkySession } from '../enedis/session.js';
import { ConfigError } from '../errors.js';
import { ReadingsStore } from '../store/readings.js';
import { TokenState, type Tokens } from '../store/tokens.js';
import { addDays, localDay } from '../time/local.js';
import {
  buildTariffReport,
  chooseSchedule,
  formatPrice,
  formatWindows,
  planOfContract,
  PRICE_FIELDS,
  resolveTariffSettings,
  TEMPO_PRICE_FIELDS,
  type Plan,
  type PriceSchedule,
  type ScheduleChoice,
  type TariffReport,
  type TariffSettings,
} from '../tariff/index.js';
import type { ColourOf } from '../tempo/colours.js';
import { calendarNote, loadCalendarFor, tempoInUse } from './tempo-calendar.js';
import { withState } from './run.js';
import { resolveUsagePoint } from '../usage-point.js';

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
    const usagePoint = tariffUsagePoint(config, tokens);
    const session = new LinkySession(config, store, { now: () => now });
    const customer = await loadCustomer(session, usagePoint, tokens, settings, opts, notes);
    const { contract, address } = customer;
    const today = localDay(now, config.tz);
    const { since, until, readFrom, curve, daily } = await readStoredRange(new ReadingsStore(store), usagePoint, today, opts);

    const choice = chooseSchedule(settings, contract, { from: readFrom, to: until });
    notes.push(...choice.notes, ...scheduleNotes(choice, contract));
    const contractPlan = planOfContract(contract);
    const plan: Plan = settings.currentPlan ?? contractPlan ?? 'BASE';
    const planSource = settings.currentPlan ? 'settings' : contractPlan ? 'contract' : 'default';
    notes.push(...priceNotes(settings.prices, since, until, curve.length));

    // The Tempo calendar over every Tempo day the curve read can touch (00:00–06:00 of readFrom is the day before).
    let colourOf = opts.colourOf;
    let calendar: TariffOutput['tempo_calendar'];
    if (!colourOf && tempoInUse(config, plan, settings.prices, opts.env)) {
      const loaded = await loadTempoColours(config, { from: addDays(readFrom, -1), to: until }, now, opts.env, notes);
      colourOf = loaded.colourOf;
      calendar = loaded.calendar;
    }
    const report = buildTariffReport({
      from: since,
      to: until,
      curve,
      daily,
      schedule: choice.schedule,
      prices: settings.prices,
      plan,
      tz: config.tz,
      colourOf,
    });
    notes.push(...reportNotes(report));

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
      calls: customer.calls,
      notes,
      ...(calendar ? { tempo_calendar: calendar } : {}),
      ...report,
    };
  });
}

/** The PDL to price: the configured one, else the paired one; several or none known is a ConfigError. */
function tariffUsagePoint(config: JeelinkyConfig, tokens: Tokens | undefined): string {
  return resolveUsagePoint(config.usagePoint, tokens?.usagePoints, {
    several: (shown) =>
      new ConfigError(
        `your consent covers several PDLs (${shown}): choose one with --usage-point or JEELINKY_USAGE_POINT_ID`,
        'usage_point_unknown',
      ),
    unknown: tokens
      ? undefined
      : () => new ConfigError('no PDL known: pair first with "jeelinky pair", or set JEELINKY_USAGE_POINT_ID', 'usage_point_unknown'),
  });
}

/** The contract (when needed) and the address, cached or fetched; what they say goes to `notes`. */
async function loadCustomer(
  session: LinkySession,
  usagePoint: string,
  tokens: Tokens | undefined,
  settings: TariffSettings,
  opts: TariffOptions,
  notes: string[],
): Promise<{ contract?: Contract; address?: AddressRecord; calls: number }> {
  let calls = 0;
  // The contract gives the windows and the plan; it is only asked for when one of them is missing.
  const needContract = Boolean(opts.refreshContract || !settings.offpeakOverride || !settings.currentPlan);
  let contract: Contract | undefined;
  if (needContract) {
    const got = await loadCustomerResource<Contract>(session, 'contract', usagePoint, {
      refresh: opts.refreshContract,
      offline: !tokens,
    });
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
  return { contract, address, calls };
}

/**
 * The days to report [since; until] and the stored curve and daily readings from `readFrom`, which
 * reaches back 12 months from `until` at least, so that the 12-month comparison always has its days.
 */
async function readStoredRange(readings: ReadingsStore, usagePoint: string, today: string, opts: TariffOptions) {
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
  return { since, until, readFrom, curve, daily };
}

/** When no off-peak windows are known: what to set for HP/HC figures. */
function scheduleNotes(choice: ScheduleChoice, contract: Contract | undefined): string[] {
  if (choice.source !== 'none') return [];
  return [
    contract && !contract.offpeakHours
      ? 'the contract has no off-peak hours (BASE option): HP/HC figures need JEELINKY_OFFPEAK_HOURS, e.g. "22h00-06h00"'
      : 'no off-peak windows known: set JEELINKY_OFFPEAK_HOURS, e.g. "22h00-06h00;12h30-14h30", to split HP/HC',
  ];
}

/** Missing or one-sided prices and subscriptions, an empty curve, price changes within the range. */
function priceNotes(prices: PriceSchedule, since: string, until: string, curvePoints: number): string[] {
  const notes: string[] = [];
  const p = prices.at(until);
  if ((p.subscriptionBase === undefined) !== (p.subscriptionHphc === undefined)) {
    notes.push(
      'a subscription price is given for one plan only: set both JEELINKY_SUBSCRIPTION_BASE and JEELINKY_SUBSCRIPTION_HPHC for a fair comparison',
    );
  }
  if (prices.isEmpty()) notes.push('no prices set: costs need JEELINKY_PRICE_BASE, JEELINKY_PRICE_HP and JEELINKY_PRICE_HC (€ per kWh)');
  const subs = [p.subscriptionBase, p.subscriptionHphc, p.subscriptionTempo].filter((v) => v !== undefined).length;
  if (prices.hasTempo() && subs > 0 && subs < 3) {
    notes.push('the three-plan comparison needs every subscription: set JEELINKY_SUBSCRIPTION_BASE, _HPHC and _TEMPO (€ per month)');
  }
  if (curvePoints === 0)
    notes.push(`no load curve stored for ${since} → ${until}: fetch it with "jeelinky run" (load_curve in JEELINKY_KINDS)`);
  const changes = prices.changesWithin(since, until);
  if (changes.length) notes.push(`prices change on ${changes.join(', ')}`);
  return notes;
}

/** The Tempo colours over `days`, with what the output says of the calendar; a failed calendar adds a note. */
async function loadTempoColours(
  config: JeelinkyConfig,
  days: { from: string; to: string },
  now: Date,
  env: NodeJS.ProcessEnv | undefined,
  notes: string[],
): Promise<{ colourOf: ColourOf; calendar: NonNullable<TariffOutput['tempo_calendar']> }> {
  const cal = await loadCalendarFor(config, days, now, { env });
  const note = calendarNote(cal);
  if (note) notes.push(note);
  return {
    colourOf: cal.colourOf,
    calendar: {
      source: cal.source,
      calls: cal.calls,
      days_without_colour: cal.missing.length,
      error: cal.error ? { code: cal.error.code, message: cal.error.message } : null,
    },
  };
}

/** What the report leaves out or covers only in part: uncoloured Tempo days, missing prices, missing curve days. */
function reportNotes(report: TariffReport): string[] {
  const notes: string[] = [];
  if (report.tempo) {
    const t = report.tempo;
    if (t.days_without_colour)
      notes.push(
        `Tempo: ${t.days_without_colour} day(s) have no known colour: their energy (${t.unknown_wh} Wh) is left out of the Tempo costs, which are partial`,
      );
    if (t.days_without_price)
      notes.push("Tempo: a colour's price is missing: set the six JEELINKY_PRICE_TEMPO_{BLUE,WHITE,RED}_{HP,HC} (€ per kWh)");
    if (t.comparison.partial)
      notes.push(
        `the three-plan comparison covers the ${t.comparison.compared_days} of ${t.comparison.days_with_curve} days whose Tempo colours are known`,
      );
  }
  const c12 = report.comparison.last_12_months;
  if (c12.days_with_curve < c12.days_in_period) {
    notes.push(
      `the 12-month comparison covers ${c12.days_with_curve} of ${c12.days_in_period} days (the load curve is missing for the others)`,
    );
  }
  const incomplete = report.days.filter((d) => d.points > 0 && !d.complete).length;
  if (incomplete)
    notes.push(`${incomplete} day(s) have an incomplete load curve: their HP/HC total is below the daily consumption (see difference_wh)`);
  return notes;
}

function pricesOut(prices: PriceSchedule, since: string, until: string): TariffOutput['prices'] {
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
