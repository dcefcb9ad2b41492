/**
 * The report page: one self-contained HTML string. Styles, ECharts, the page's script and the data
 * are inlined; a Content-Security-Policy forbids every request, so the page cannot reach a server
 * even by mistake. Text summaries are plain HTML, readable without the script (and by screen readers).
 */
import { drawReport } from './client.js';
import type { ReportModel } from './model.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** JSON safe inside a <script> element: no "</script>", no "<!--". */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
/** Script text safe inside a <script> element (`<\/` means the same in JS strings and regexps). */
const scriptText = (js: string) => js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const CSS = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1a1a1a; --muted: #5a5a5a; --grid: #e2e2e2; --card: #f6f7f9; --accent: #0072B2; }
@media (prefers-color-scheme: dark) { :root { --bg: #121417; --fg: #e8e8e8; --muted: #a0a4aa; --grid: #2c3036; --card: #1b1e23; --accent: #56B4E9; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1200px; margin: 0 auto; padding: 16px 20px; }
header { border-bottom: 3px solid var(--accent); }
h1 { font-size: 1.5rem; margin: 0 0 6px; }
h2 { font-size: 1.15rem; margin: 0 0 8px; }
.facts { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0; }
.facts div { display: flex; gap: 6px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; }
section { background: var(--card); border-radius: 8px; padding: 16px; margin: 18px 0; break-inside: avoid; }
.summary { margin: 0 0 10px; }
.hint { margin: 8px 0 0; color: var(--muted); font-style: italic; }
.chart { width: 100%; height: 360px; }
footer { color: var(--muted); font-size: 0.85rem; }
@media print { body { background: #fff; color: #000; } section { background: none; border: 1px solid #ccc; } }
`;

function section(id: string, title: string, summary: string, height: number, label: string, extra = ''): string {
  return (
    `<section aria-labelledby="${id}-title"><h2 id="${id}-title">${esc(title)}</h2>` +
    `<p class="summary" data-summary="${id}">${esc(summary)}</p>` +
    `<div id="chart-${id}" class="chart" style="height:${height}px" role="img" aria-label="${esc(label)}"></div>${extra}</section>`
  );
}

const hint = (text: string) => `<p class="hint">${esc(text)}</p>`;

/**
 * The page's script: drawReport's own source, called on the embedded model. When this module runs
 * from TypeScript through esbuild (tsx, vitest), the source may call esbuild's `__name` helper:
 * a local identity stands in for it.
 */
function clientScript(): string {
  return `(function () { var __name = function (f) { return f; }; (${drawReport.toString()})(JSON.parse(document.getElementById('report-model').textContent), window.echarts); })();`;
}

export interface RenderOptions {
  /** The text of echarts.min.js (see echartsSource()). */
  echarts: string;
}

export function renderReportHtml(model: ReportModel, options: RenderOptions): string {
  const range = `${model.from} to ${model.until}`;
  const totalNote =
    model.total.source === 'load_curve'
      ? ' (from the load curve: no daily values stored)'
      : model.total.source === 'none'
        ? ' (nothing stored)'
        : '';
  const parts: string[] = [];
  parts.push(
    section(
      'daily',
      'Daily consumption',
      model.daily.summary,
      360,
      `Bars of daily consumption in kWh${model.daily.productionKwh ? ' and production' : ''}, with a 7-day average line, ${range}`,
    ),
  );
  if (model.heat) {
    // One row per day: tall enough to tell days apart, capped so that two years stay on a page or two.
    const height = Math.min(1500, Math.max(260, model.days.length * 2)) + 110;
    parts.push(
      section(
        'heat',
        'Load curve (average power per interval)',
        model.heat.summary,
        height,
        `Heat map of the average power in W, one row per day, one column per ${model.heat.intervalMinutes}-minute interval of local time`,
        model.heat.note ? hint(model.heat.note) : '',
      ),
    );
  } else {
    parts.push(`<section><h2>Load curve</h2><p class="summary" data-summary="heat">No load curve stored in this range.</p></section>`);
  }
  if (model.maxPower) {
    parts.push(
      section(
        'maxpower',
        'Daily maximum power',
        model.maxPower.summary,
        320,
        'Bars of the daily maximum apparent power in VA',
        model.subscribedHint ? hint(model.subscribedHint) : '',
      ),
    );
  } else {
    parts.push(
      `<section><h2>Daily maximum power</h2><p class="summary" data-summary="maxpower">No maximum power stored in this range.</p></section>`,
    );
  }
  if (model.tariff) {
    const tf = model.tariff;
    parts.push(
      section('hphc-days', 'Peak (HP) and off-peak (HC) per day', tf.summaryDays, 320, 'Stacked bars of HP and HC energy in kWh per day'),
    );
    parts.push(
      section(
        'hphc-months',
        'Peak (HP) and off-peak (HC) per month',
        tf.summaryMonths,
        300,
        'Stacked bars of HP and HC energy in kWh per month',
      ),
    );
    if (tf.monthCost) {
      parts.push(section('cost', 'Cost per month', tf.summaryCost, 300, `Bars of the cost per month in ${tf.currency}`));
      if (tf.comparison) {
        parts.push(
          section(
            'plans',
            `Plan comparison (${tf.comparison.period})`,
            tf.summaryPlans,
            60 + 48 * tf.comparison.plans.length,
            `Bars of the same consumption priced under each plan, in ${tf.currency}`,
          ),
        );
      }
    } else if (tf.costHint) {
      parts.push(`<section><h2>Costs</h2><p class="summary hint" data-summary="cost">${esc(tf.costHint)}</p></section>`);
    }
  } else if (model.tariffHint) {
    parts.push(
      `<section><h2>Peak / off-peak hours and costs</h2><p class="summary hint" data-summary="tariff">${esc(model.tariffHint)}</p></section>`,
    );
  }
  if (model.tempo) {
    const tp = model.tempo;
    // One calendar (7 rows of days) per season the range touches.
    const height = 60 + 150 * Math.max(1, tp.seasons.length);
    parts.push(
      section(
        'tempo',
        'Tempo colours by day',
        tp.summaryCalendar,
        height,
        'Calendar of the Tempo days, one cell per day: blue, white, red, grey when the colour is not known',
        tp.note ? hint(tp.note) : '',
      ),
    );
    if (tp.byColour.some((c) => c.cost !== null)) {
      parts.push(
        section(
          'tempo-cost',
          'Tempo cost per colour',
          tp.summaryCost,
          200,
          `Bars of the cost of the blue, white and red days in ${tp.currency}`,
        ),
      );
    } else {
      parts.push(
        `<section><h2>Tempo cost per colour</h2><p class="summary" data-summary="tempo-cost">${esc(tp.summaryCost)}</p></section>`,
      );
    }
  }
  const coveredKinds = model.gaps.kinds.filter((k) => k.daysWithData > 0).length;
  parts.push(
    section(
      'gaps',
      'Days stored and missing, per kind',
      model.gaps.summary,
      110 + 34 * Math.max(1, coveredKinds),
      'Grid of the days stored, incomplete and missing for each kind of reading',
    ),
  );

  const title = `Linky report ${model.usagePoint}, ${range}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data: blob:">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>Linky consumption report</h1>
<dl class="facts">
<div><dt>PDL</dt><dd data-field="pdl">${esc(model.usagePoint)}</dd></div>
<div><dt>Range</dt><dd data-field="range">${esc(range)} (${model.days.length} days, ${esc(model.tz)})</dd></div>
<div><dt>Total consumption</dt><dd data-field="total">${model.total.kwh.toFixed(1)} kWh${esc(totalNote)}</dd></div>
</dl>
</header>
<main>
${parts.join('\n')}
</main>
<footer>Written by jeelinky on ${esc(model.generatedAt)} from its local store; this file makes no network request.</footer>
<script type="application/json" id="report-model">${scriptJson(model)}</script>
<script>${scriptText(options.echarts)}</script>
<script>${scriptText(clientScript())}</script>
</body>
</html>
`;
}
