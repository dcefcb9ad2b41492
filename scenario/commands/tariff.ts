/**
 * `jeelinky tariff`: the HP/HC split of the stored load curve, its cost under the current plan and
 * the other one, and which plan would have been cheaper over the last 12 months. Reads the store;
 * the only call it may make is the contract (once, when it is not cached and jeelinky is paired),
 * and a refusal or an outage there only adds a note.
 */
import type { CommandModule } from 'yargs';
import { UsageError } from '../../plugin/errors.js';
import { parsePlan, type Plan, type TariffPeriod } from '../../plugin/tariff/index.js';
import { resolveDayRange } from '../dates.js';
import { computeTariff, type TariffOutput } from '../../plugin/runner/tariff.js';
import { printJson } from '../output.js';
import { configFromArgs, withCommonOptions, type CommonArgs } from './common.js';
import { settingOption } from './setting-options.js';

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
  lines.push(
    `Off-peak windows (${out.windows_source}): ${out.windows.map((w) => `${w.from ? `from ${w.from} ` : ''}${w.windows || 'none'}`).join(' · ') || 'none'}`,
  );
  lines.push('');
  if (by === 'day') {
    lines.push(
      table(
        ['day', 'HP kWh', 'HC kWh', 'curve kWh', 'daily kWh', 'diff Wh', 'BASE €', 'HP/HC €'],
        out.days.map((d) => [
          d.date + (d.complete ? '' : ' *'),
          kwh(d.hp_wh),
          kwh(d.hc_wh),
          kwh(d.total_wh),
          kwh(d.daily_wh),
          d.difference_wh === null ? '—' : String(d.difference_wh),
          euro(d.cost_base),
          euro(d.cost_hphc),
        ]),
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
  lines.push(
    `${out.from} → ${out.to}: ${c.current_plan} (current) ${euro(c.cost_current)} € · ${c.other_plan} ${euro(c.cost_other)} €${c.difference === null ? '' : ` · the ${c.difference >= 0 ? 'current plan saves' : 'other plan would save'} ${euro(Math.abs(c.difference))} €`}`,
  );
  const y = c.last_12_months;
  lines.push(
    `Last 12 months (${y.from} → ${y.to}, ${y.days_with_curve}/${y.days_in_period} days): BASE ${euro(y.cost_base)} € · HP/HC ${euro(y.cost_hphc)} €` +
      (y.cheaper === null
        ? ' · cannot tell which plan is cheaper (prices or windows missing)'
        : y.cheaper === 'equal'
          ? ' · both cost the same'
          : ` · ${y.cheaper === 'HPHC' ? 'HP/HC' : 'BASE'} is cheaper by ${euro(y.saving)} €`),
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
      `${m.blue_days}/${m.white_days}/${m.red_days}${m.days_without_colour ? ` ?${m.days_without_colour}` : ''}`,
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
  lines.push(
    `Tempo days run 06:00 → 06:00 (the night is HC of the day before); energies in kWh${t.partial ? '; * partial: days without colour or price left out' : ''}`,
  );
  const c = t.comparison;
  const partial = c.partial
    ? ` (the ${c.compared_days} of ${c.days_with_curve} days whose colours are known; ${c.days_without_colour} day(s) without colour)`
    : '';
  lines.push(
    `Last 12 months (${c.from} → ${c.to})${partial}: BASE ${euro(c.cost_base)} € · HP/HC ${euro(c.cost_hphc)} € · Tempo ${euro(c.cost_tempo)} €`,
  );
  if (c.cost_tempo !== null && current !== 'TEMPO') {
    const vs = current === 'BASE' ? c.tempo_saving_vs_base : c.tempo_saving_vs_hphc;
    lines.push(
      `With Tempo you would have paid ${euro(c.cost_tempo)} €${vs === null ? '' : `: ${euro(Math.abs(vs))} € ${vs >= 0 ? 'less' : 'more'} than ${current === 'HPHC' ? 'HP/HC' : 'BASE'}`}`,
    );
  }
  lines.push(
    c.cheapest === null
      ? 'Cheapest: cannot tell (a price is missing)'
      : c.cheapest === 'equal'
        ? 'Cheapest: a tie'
        : `Cheapest: ${c.cheapest === 'HPHC' ? 'HP/HC' : c.cheapest === 'TEMPO' ? 'Tempo' : 'BASE'}`,
  );
  lines.push(
    `Red days: ${c.red_days}, ${pct(c.red_energy_share)} of the energy, ${pct(c.red_cost_share)} of the Tempo cost (${euro(c.red_cost)} €)`,
  );
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
  describe:
    'HP/HC split of the load curve, costs under BASE and HP/HC (and Tempo: colours from RTE or your file, six sub-counters), and which plan is cheaper',
  builder: (y) =>
    withCommonOptions(y)
      .option('since', {
        type: 'string',
        describe: 'First day: YYYY-MM-DD or an expression ("first day of -11 months"); default: 12 whole months up to --until',
      })
      .option('until', { type: 'string', describe: 'Last day (included); default: the newest day with a load curve' })
      .option('by', { type: 'string', choices: ['day', 'month'], describe: 'Table rows (default: day up to 62 days, else month)' })
      .option(...settingOption('offpeakHours'))
      .option(...settingOption('currentPlan'))
      .option('refresh-contract', {
        type: 'boolean',
        describe: 'Ask the proxy for the contract again (after a change of option or windows)',
      })
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
    process.stdout.write(`${renderTariff(out, by)}\n`);
  },
};
