/**
 * The page's own script. It runs in the browser, not in Node: html.ts inlines its source text
 * (`drawReport.toString()`), so it must not use anything from outside its own body — only its
 * arguments and the browser's globals. Types come from the model; ECharts is the global one.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: ECharts' option objects are untyped here (its types cannot be imported into a function serialised with toString()).
import type { ReportModel } from './model.js';

export function drawReport(model: ReportModel, echarts: any): void {
  // Okabe–Ito: told apart by the common colour-vision deficiencies.
  const OI = {
    blue: '#0072B2',
    orange: '#E69F00',
    sky: '#56B4E9',
    green: '#009E73',
    yellow: '#F0E442',
    vermillion: '#D55E00',
    purple: '#CC79A7',
  };
  // Viridis: perceptually uniform, readable in grey and by colour-blind readers.
  const VIRIDIS = ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'];
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  const win = window as any;
  const charts: Array<{ el: HTMLElement; build: () => any; chart?: any }> = [];
  let pending = 0;

  function themeColors() {
    const css = getComputedStyle(document.documentElement);
    return {
      fg: css.getPropertyValue('--fg').trim(),
      muted: css.getPropertyValue('--muted').trim(),
      grid: css.getPropertyValue('--grid').trim(),
      bg: css.getPropertyValue('--bg').trim(),
    };
  }

  function base(t: ReturnType<typeof themeColors>) {
    return {
      animation: false,
      backgroundColor: 'transparent',
      textStyle: { color: t.fg },
      grid: { left: 64, right: 24, top: 40, bottom: 56 },
      tooltip: { trigger: 'axis', confine: true },
      legend: { top: 4, textStyle: { color: t.fg } },
    };
  }

  function axis(t: ReturnType<typeof themeColors>, extra: any) {
    return {
      axisLine: { lineStyle: { color: t.muted } },
      axisLabel: { color: t.fg },
      nameTextStyle: { color: t.fg },
      splitLine: { lineStyle: { color: t.grid } },
      ...extra,
    };
  }

  function add(id: string, build: () => any): void {
    const el = document.getElementById(id);
    if (el) charts.push({ el, build });
  }

  const days = model.days;
  let t = themeColors();

  add('chart-daily', () => {
    const series: any[] = [
      { name: 'Consumption (kWh)', type: 'bar', data: model.daily.consumptionKwh, itemStyle: { color: OI.blue }, large: true },
    ];
    if (model.daily.productionKwh)
      series.push({ name: 'Production (kWh)', type: 'bar', data: model.daily.productionKwh, itemStyle: { color: OI.orange }, large: true });
    series.push({
      name: '7-day average (kWh)',
      type: 'line',
      data: model.daily.avg7Kwh,
      showSymbol: false,
      connectNulls: false,
      lineStyle: { width: 2, color: OI.vermillion },
      itemStyle: { color: OI.vermillion },
    });
    return {
      ...base(t),
      xAxis: axis(t, { type: 'category', data: days, name: 'day', nameLocation: 'middle', nameGap: 32, splitLine: { show: false } }),
      yAxis: axis(t, { type: 'value', name: 'kWh' }),
      series,
    };
  });

  const heat = model.heat;
  if (heat) {
    add('chart-heat', () => ({
      ...base(t),
      grid: { left: 88, right: 24, top: 56, bottom: 48 },
      legend: { show: false },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: any) =>
          `${days[p.value[1]]} ${heat.columns[p.value[0]]}${p.value[3] ? (p.value[3] === 1 ? ' (1st pass, summer time)' : ' (2nd pass, winter time)') : ''}<br>${p.value[2]} W`,
      },
      xAxis: axis(t, {
        type: 'category',
        data: heat.columns,
        name: `local time (${model.tz})`,
        nameLocation: 'middle',
        nameGap: 30,
        splitLine: { show: false },
        axisLabel: { color: t.fg, interval: Math.round(120 / heat.intervalMinutes) - 1 },
      }),
      yAxis: axis(t, { type: 'category', data: days, inverse: true, name: 'day', nameLocation: 'start', splitLine: { show: false } }),
      visualMap: {
        type: 'continuous',
        min: 0,
        max: Math.max(1, heat.maxW),
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        top: 0,
        itemHeight: 160,
        text: [`${heat.maxW} W`, '0 W'],
        textStyle: { color: t.fg },
        inRange: { color: VIRIDIS },
        dimension: 2, // the watts (the repeated hour's cells carry a 4th value, their pass)
      },
      series: [
        { name: 'Average power (W)', type: 'heatmap', data: heat.cells, progressive: 20000, progressiveThreshold: 20000 },
        {
          // The hour lived twice in autumn, on its own day only: each cell split in two halves.
          name: 'Repeated hour (W)',
          type: 'custom',
          data: heat.repeated,
          encode: { x: 0, y: 1, tooltip: 2 },
          renderItem: (_params: any, api: any) => {
            const [cx, cy] = api.coord([api.value(0), api.value(1)]);
            const [w, h] = api.size([1, 1]);
            const top = cy - h / 2 + (api.value(3) === 2 ? h / 2 : 0);
            return { type: 'rect', shape: { x: cx - w / 2, y: top, width: w, height: h / 2 }, style: { fill: api.visual('color') } };
          },
        },
      ],
    }));
  }

  const mp = model.maxPower;
  if (mp) {
    add('chart-maxpower', () => {
      const line: any = { name: 'Daily max power (VA)', type: 'bar', data: mp.va, itemStyle: { color: OI.green }, large: true };
      if (mp.subscribedVa) {
        line.markLine = {
          symbol: 'none',
          silent: true,
          lineStyle: { color: OI.vermillion, type: 'dashed', width: 2 },
          label: { color: t.fg, position: 'insideEndTop', formatter: `subscribed ${mp.subscribedVa} VA` },
          data: [{ yAxis: mp.subscribedVa }],
        };
      }
      return {
        ...base(t),
        xAxis: axis(t, { type: 'category', data: days, name: 'day', nameLocation: 'middle', nameGap: 32, splitLine: { show: false } }),
        yAxis: axis(t, { type: 'value', name: 'VA', max: mp.subscribedVa ? (v: any) => Math.max(v.max, mp.subscribedVa!) : undefined }),
        series: [line],
      };
    });
  }

  const tariff = model.tariff;
  if (tariff) {
    const stacked = (x: string[], hp: Array<number | null>, hc: Array<number | null>, xName: string) => ({
      ...base(t),
      xAxis: axis(t, { type: 'category', data: x, name: xName, nameLocation: 'middle', nameGap: 32, splitLine: { show: false } }),
      yAxis: axis(t, { type: 'value', name: 'kWh' }),
      series: [
        { name: 'HP, peak (kWh)', type: 'bar', stack: 'e', data: hp, itemStyle: { color: OI.vermillion } },
        { name: 'HC, off-peak (kWh)', type: 'bar', stack: 'e', data: hc, itemStyle: { color: OI.blue } },
      ],
    });
    add('chart-hphc-days', () => stacked(days, tariff.hpKwh, tariff.hcKwh, 'day'));
    add('chart-hphc-months', () => stacked(tariff.monthLabels, tariff.monthHpKwh, tariff.monthHcKwh, 'month'));
    if (tariff.monthCost)
      add('chart-cost', () => ({
        ...base(t),
        xAxis: axis(t, {
          type: 'category',
          data: tariff.monthLabels,
          name: 'month',
          nameLocation: 'middle',
          nameGap: 32,
          splitLine: { show: false },
        }),
        yAxis: axis(t, { type: 'value', name: tariff.currency }),
        series: [{ name: `Cost (${tariff.currency})`, type: 'bar', data: tariff.monthCost, itemStyle: { color: OI.green } }],
      }));
    if (tariff.comparison) {
      const cmp = tariff.comparison;
      add('chart-plans', () => ({
        ...base(t),
        grid: { left: 120, right: 48, top: 16, bottom: 48 },
        legend: { show: false },
        tooltip: { trigger: 'item', confine: true },
        xAxis: axis(t, { type: 'value', name: tariff.currency, nameLocation: 'middle', nameGap: 28 }),
        yAxis: axis(t, { type: 'category', data: cmp.plans.map((p) => p.plan), splitLine: { show: false } }),
        series: [
          {
            name: `Cost over ${cmp.period} (${tariff.currency})`,
            type: 'bar',
            data: cmp.plans.map((p) => ({ value: p.cost, itemStyle: { color: p.plan === cmp.current ? OI.blue : OI.orange } })),
            label: { show: true, position: 'right', color: t.fg, formatter: (p: any) => `${p.value.toFixed(2)} ${tariff.currency}` },
          },
        ],
      }));
    }
  }

  const tempo = model.tempo;
  if (tempo) {
    // RTE's colours; white days get a grey border so that they show on a light page.
    const TEMPO_FILL = { BLUE: '#1f5fbf', WHITE: '#f4f4f4', RED: '#d62728', unknown: '#9e9e9e' };
    const names = ['unknown', 'BLUE', 'WHITE', 'RED'] as const;
    add('chart-tempo', () => ({
      ...base(t),
      legend: { show: false },
      tooltip: {
        trigger: 'item',
        confine: true,
        formatter: (p: any) => `${p.value[0]}: ${p.value[1] ? names[p.value[1]] : 'colour not known'}`,
      },
      visualMap: {
        type: 'piecewise',
        orient: 'horizontal',
        left: 'center',
        top: 0,
        textStyle: { color: t.fg },
        dimension: 1,
        pieces: [
          { value: 1, label: 'blue', color: TEMPO_FILL.BLUE },
          { value: 2, label: 'white', color: TEMPO_FILL.WHITE },
          { value: 3, label: 'red', color: TEMPO_FILL.RED },
          { value: 0, label: 'not known', color: TEMPO_FILL.unknown },
        ],
      },
      calendar: tempo.seasons.map((s, i) => ({
        top: 70 + i * 150,
        left: 90,
        right: 24,
        // Fixed cells: every season's weeks line up, a short season is not stretched.
        cellSize: [18, 16],
        range: [s.from, s.to],
        orient: 'horizontal',
        itemStyle: { color: 'transparent', borderColor: t.grid, borderWidth: 1 },
        splitLine: { lineStyle: { color: t.muted, width: 1 } },
        dayLabel: { color: t.fg, nameMap: 'en', firstDay: 1 },
        monthLabel: { color: t.fg, nameMap: 'en' },
        yearLabel: { show: true, color: t.fg, formatter: s.season },
      })),
      series: tempo.seasons.map((s, i) => ({
        name: `Tempo ${s.season}`,
        type: 'heatmap',
        coordinateSystem: 'calendar',
        calendarIndex: i,
        data: s.cells,
        itemStyle: { borderColor: t.muted, borderWidth: 0.5 },
      })),
    }));
    const priced = tempo.byColour.filter((c) => c.cost !== null);
    if (priced.length) {
      add('chart-tempo-cost', () => ({
        ...base(t),
        grid: { left: 120, right: 64, top: 16, bottom: 48 },
        legend: { show: false },
        tooltip: { trigger: 'item', confine: true },
        xAxis: axis(t, { type: 'value', name: tempo.currency, nameLocation: 'middle', nameGap: 28 }),
        yAxis: axis(t, {
          type: 'category',
          data: priced.map((c) => `${c.colour.toLowerCase()} (${c.days} d)`),
          splitLine: { show: false },
        }),
        series: [
          {
            name: `Cost (${tempo.currency})`,
            type: 'bar',
            data: priced.map((c) => ({ value: c.cost, itemStyle: { color: TEMPO_FILL[c.colour], borderColor: t.muted, borderWidth: 1 } })),
            label: { show: true, position: 'right', color: t.fg, formatter: (p: any) => `${p.value.toFixed(2)} ${tempo.currency}` },
          },
        ],
      }));
    }
  }

  // Coverage: one row per kind that has data, one cell per day: present, incomplete or missing.
  const covered = model.gaps.kinds.filter((k) => k.daysWithData > 0);
  if (covered.length) {
    add('chart-gaps', () => {
      const cells: Array<[number, number, number]> = [];
      covered.forEach((k, y) => {
        const missing = new Set(k.missing);
        const partial = new Set(k.partial);
        days.forEach((d, x) => {
          cells.push([x, y, missing.has(d) ? 0 : partial.has(d) ? 1 : 2]);
        });
      });
      const status = ['missing', 'incomplete', 'stored'];
      return {
        ...base(t),
        grid: { left: 170, right: 24, top: 40, bottom: 56 },
        legend: { show: false },
        tooltip: {
          trigger: 'item',
          confine: true,
          formatter: (p: any) => `${covered[p.value[1]]!.label}, ${days[p.value[0]]}: ${status[p.value[2]]}`,
        },
        xAxis: axis(t, { type: 'category', data: days, name: 'day', nameLocation: 'middle', nameGap: 32, splitLine: { show: false } }),
        yAxis: axis(t, { type: 'category', data: covered.map((k) => k.label), splitLine: { show: false } }),
        visualMap: {
          type: 'piecewise',
          orient: 'horizontal',
          left: 'center',
          top: 0,
          textStyle: { color: t.fg },
          pieces: [
            { value: 2, label: 'stored', color: OI.sky },
            { value: 1, label: 'incomplete', color: OI.yellow },
            { value: 0, label: 'missing', color: OI.vermillion },
          ],
        },
        series: [{ name: 'Days stored', type: 'heatmap', data: cells, progressive: 5000 }],
      };
    });
  }

  function markRendered(): void {
    if (--pending === 0) {
      document.body.dataset.rendered = 'true';
      win.__reportRenderedMs = performance.now();
    }
  }

  // When each chart finished its first full drawing (ms from navigation start), for the benchmark.
  const timings: Record<string, number> = { start: performance.now() };
  win.__reportTimings = timings;
  // The heat map is the heavy one: the others are drawn first. A year (17,520 cells) is drawn in one
  // pass; more is drawn in passes of 20,000 cells, so that the page stays responsive meanwhile.
  charts.sort((a, b) => Number(a.el.id === 'chart-heat') - Number(b.el.id === 'chart-heat'));
  for (const c of charts) {
    c.chart = echarts.init(c.el, null, { renderer: 'canvas' });
    pending++;
    let first = true;
    c.chart.on('finished', () => {
      if (first) {
        first = false;
        timings[c.el.id] = performance.now();
        markRendered();
      }
    });
    c.chart.setOption(c.build());
  }
  win.__reportCharts = charts.map((c) => ({ id: c.el.id, chart: c.chart }));
  // Only a change of width redraws: chart heights are fixed, and a full-page screenshot or print
  // preview that only changes the window's height must not restart the heat map's progressive drawing.
  const widths = charts.map((c) => c.el.clientWidth);
  window.addEventListener('resize', () =>
    charts.forEach((c, i) => {
      if (c.el.clientWidth !== widths[i]) {
        widths[i] = c.el.clientWidth;
        c.chart.resize();
      }
    }),
  );
  // Light and dark themes follow the system setting, also when it changes while the page is open.
  dark.addEventListener('change', () => {
    t = themeColors();
    for (const c of charts) c.chart.setOption(c.build(), { notMerge: true });
  });
}
