/**
 * The generated corpus of the strtotime differential test: expressions built combinatorially
 * from every family PHP's parser knows, and "now" instants chosen where date code breaks (both DST
 * changes of Europe/Paris at and around 02:00-03:00, month ends, Feb 29, Dec 31, every weekday).
 */

const units = [
  'sec',
  'seconds',
  'min',
  'minutes',
  'hour',
  'hours',
  'day',
  'days',
  'week',
  'weeks',
  'fortnight',
  'month',
  'months',
  'year',
  'years',
];
const weekdays = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const dayAbbr = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const times = ['', ' 00:00', ' 00:00:00', ' 23:59', ' 23:59:59', ' 02:30', ' noon', ' 11pm', ' 10:15:30'];

function relatives(): string[] {
  const out: string[] = [];
  for (const unit of units) {
    for (const n of [1, 2, 3, 13, 31]) {
      out.push(`+${n} ${unit}`, `-${n} ${unit}`, `${n} ${unit} ago`);
    }
    out.push(`${7} ${unit}`, `+0 ${unit}`, `-0 ${unit} ago`);
  }
  out.push(
    '+1 day +2 hours',
    '+1 week 2 days',
    '-1 month +3 days',
    '1 year 2 months 3 days ago',
    '+1 month -1 day',
    '+1 year +1 month +1 day +1 hour +1 minute +1 second',
    '-1 day -1 hour',
    '+90 min',
    '+30 min',
    '+150 minutes',
    '-90 minutes',
    '+1440 minutes',
    '+25 hours',
    '-25 hours',
    '+1 hour 30 minutes',
    '+1 month 2024-01-31',
    '+1  day',
    '+ 1 day',
    '+1day',
    '1day ago',
    '- 1 day',
    '--1 day',
    '+-1 day',
    '1 week ago 00:00',
    '2 days ago 00:00',
    '2 days ago 23:59',
    '-10 days',
    '-1 week',
    '+2 weeks 00:00',
    '3 weekdays',
    '+3 weekdays',
    '-3 weekdays',
    '2 weekdays ago',
    '+5 weekdays',
    '-5 weekdays',
    '+0 weekdays',
    '1 weekday',
    '+10 weekdays',
    '+1 ms',
    '+1500 msec',
    '-1 usec',
    '+1000000 usec',
    '+1 fortnights',
    '2 forthnight ago',
  );
  return out;
}

function textRelatives(): string[] {
  const out: string[] = [];
  const targets = ['day', 'week', 'month', 'year', 'hour', 'minute', 'sec', ...weekdays, 'mon', 'fri', 'sat', 'weekday'];
  for (const word of ['next', 'last', 'previous', 'this']) {
    for (const t of targets) out.push(`${word} ${t}`);
  }
  for (const word of ['first', 'second', 'third', 'twelfth']) out.push(`${word} day`, `${word} monday`, `${word} month`);
  out.push('previous monday 00:00:00', 'last monday 00:00', 'next monday noon', 'this sunday 23:59:59', 'next week 00:00');
  return out;
}

function weekdayExprs(): string[] {
  const out = [...weekdays, ...dayAbbr, 'Monday', 'MONDAY', 'mondays', 'Sundays', 'weekday', 'weekdays'];
  for (const w of ['monday', 'sunday', 'friday', 'saturday', 'wed']) {
    for (const wk of ['last week', 'next week', 'this week', 'previous week']) {
      out.push(`${w} ${wk}`, `${w} ${wk} 00:00`, `${w} ${wk} 23:59`);
    }
    out.push(`${w} 10:00`, `10:00 ${w}`, `${w} noon`, `next ${w} 08:00`, `last ${w} 23:59:59`);
  }
  out.push('last week', 'next week', 'this week', 'previous week', 'last week monday', 'sunday last week 23:59', 'monday last week 00:00');
  return out;
}

function firstLast(): string[] {
  const out: string[] = [];
  const ofs = [
    'this month',
    'next month',
    'last month',
    'previous month',
    'january',
    'february',
    'march',
    'december',
    'jan',
    'january this year',
    'february next year',
    'december last year',
    'next year',
    'this year',
    'last year',
    'february 2024',
    'february 2023',
    '2024-02',
    'next month next year',
    '+1 month',
    '-1 month',
    'january 2025',
  ];
  for (const fl of ['first day of', 'last day of']) {
    for (const of of ofs) {
      for (const time of ['', ' 00:00:00', ' 23:59:59', ' noon']) out.push(`${fl} ${of}${time}`);
    }
    out.push(fl);
  }
  out.push('FIRST DAY OF NEXT MONTH', 'First Day Of Last Month', 'first  day of next month', 'last day of feb', 'first day of');
  return out;
}

function ordinalWeekdayOf(): string[] {
  const out: string[] = [];
  for (const ord of ['first', 'second', 'third', 'fourth', 'fifth', 'last', 'next', 'this', 'previous']) {
    for (const wd of ['monday', 'friday', 'sunday', 'sat']) {
      for (const of of ['this month', 'next month', 'last month', 'january 2025', 'february', 'march 2024']) {
        out.push(`${ord} ${wd} of ${of}`);
      }
    }
  }
  out.push('first monday of next month 09:00', 'last friday of this month 23:59:59', 'first monday of');
  return out;
}

function timesOfDay(): string[] {
  return [
    '23:59',
    '23:59:59',
    '11pm',
    '11 pm',
    '11:30 pm',
    '11:30pm',
    '11:30:15 pm',
    '12am',
    '12pm',
    '12:00 am',
    '12:30 a.m.',
    '7 p.m.',
    'T10:00',
    't10:00:00',
    'T10',
    'T1030',
    '10.30',
    '10:30',
    '1030',
    '103045',
    '2:30',
    '02:30',
    '02:30:00',
    '02:00',
    '02:59:59',
    '03:00',
    '01:59:59',
    '24:00',
    '00:00:00.5',
    '10:00:00.123456',
    'noon',
    '10am tomorrow',
    'tomorrow 10am',
    'today 02:30',
    'tomorrow 02:30',
    'yesterday 02:30:00',
    'midnight',
    'noon tomorrow',
    '0:00',
    '9:5',
    '9:05:5',
    '12:60',
    '25:00',
    '10:00 10:00',
    'back of 7pm',
    'front of 7',
    '10:00 +01:00',
    '10:00 -0500',
    '10:00 GMT+2',
    '10:00 CET',
    '10:00 CEST',
    '10:00 EST',
    '10:00 Z',
    '10:00 UTC',
    '10:00 utc',
    '10:00 (CET)',
    '10:00 Europe/London',
    '10:00 America/New_York',
    '02:30 Europe/Paris',
    '10:00 +01:00:00',
    '10:00 nowhere',
    '10:00 a',
  ];
}

function absolutes(): string[] {
  return [
    '2024-03-31',
    '2024-03-31 02:30:00',
    '2025-03-30 02:30:00',
    '2025-03-30 02:00:00',
    '2025-03-30 03:00:00',
    '2025-03-30 01:59:59',
    '2025-10-26 02:30:00',
    '2025-10-26 01:30:00',
    '2025-10-26 02:00:00',
    '2025-10-26 03:00:00',
    '2025-10-26 02:59:59',
    '2024-10-27 02:30',
    '31-03-2024',
    '03/31/2024',
    '31.03.2024',
    'March 31 2024',
    '31 March 2024',
    'March 31, 2024',
    '31 Mar 2024 10:00',
    'Mar 31',
    '31 March',
    '31st March 2024',
    'March 31st',
    '2024-03-31T02:30:00Z',
    '2024-03-31T02:30:00+02:00',
    '2024-03-31T02:30:00.123Z',
    '2024-03-31T02:30:00.5+01:00',
    '2024-03-31 02:30:00 UTC',
    '2024-03-31 02:30:00 +0530',
    '2024-03-31T12:00:00-05:00',
    '2024-02-30',
    '2024-02-29',
    '2023-02-29',
    '2024-13-01',
    '20240331',
    '20240331T103000',
    '2024/03/31',
    '2024/3/5',
    '24-03-31',
    '1 January 2025',
    'Jan 2025',
    '2025 Jan',
    'January',
    'dec',
    'Dec 25',
    '2025-W10',
    '2025W103',
    '2025-W01-1',
    '2025.100',
    '2025-100',
    '@1700000000',
    '@-1',
    '@0',
    '@1700000000.123456',
    '@1700000000.5',
    '5/6',
    '5/6/25',
    '2024-03-31 first day of next month',
    '2024-01-31 +1 month',
    '2024-01-31 last day of next month',
    '2025-12-31 +1 day',
    '2024-02-29 +1 year',
    '2024-02-29 -1 year',
    'tomorrow 2024-03-31',
    '2024',
    '1970',
    '10:00 2024',
    '2024-03-31 10:00 +1 week',
    '31.03.24',
    '30-6-2025',
    '2025-06-30 23:59:59',
    'Sat, 30 Mar 2024 10:00:00 +0100',
    'Sunday, March 31, 2024',
    '2024-03-31 sunday',
    '+12345-01-01',
    '-0044-03-15',
    '2024:03:31 10:00:00',
    '10/Oct/2000:13:55:36 -0700',
    'III',
    'IV 2024',
  ];
}

function seedAndMisc(): string[] {
  return [
    '2 days ago 00:00',
    '2 days ago 23:59',
    'previous monday 00:00:00',
    'Today',
    'monday last week 00:00',
    'sunday last week 23:59',
    'first day of this month 00:00:00',
    'first day of last month 00:00:00',
    'last day of last month 23:59:59',
    'first day of january this year 00:00:00',
    'Yesterday 00:00',
    'Today 00:00',
    'yesterday 23:59:59',
    'today 23:59:59',
    'now',
    'NOW',
    'today',
    'TODAY',
    'ToDay',
    '  today  ',
    '\ttoday\n',
    'today noon',
    'midnight tomorrow',
    'tomorrow noon',
    'yesterday noon',
    'tomorrow',
    'yesterday',
    '+2 days yesterday',
    'yesterday +2 days',
    'today +1 day',
    'now +1 hour',
    'tomorrow tomorrow',
    'today, 10:00',
    'today. 10:00',
    'last day of next month, 23:59',
    ' ',
    '',
  ];
}

/** Text that PHP rejects: the port must reject it too. */
export const REJECTED_SAMPLES = [
  'not a date',
  'first dey of',
  'foo',
  'month',
  'next dya',
  '3 days agoo',
  'next',
  '@',
  '13/45/2024',
  '2024-01-01 2024-01-02',
  'tomorrow at 10',
  'in 2 days',
  'hier',
  'demain 10:00',
  '10h30',
  '1er janvier',
  'last day of the month',
  '1 day ago please',
  '10:00 11:00 12:00',
  '!',
  'today?',
  '2024-03-31 UTC UTC UTC',
];

export function corpusExpressions(): string[] {
  const all = [
    ...seedAndMisc(),
    ...relatives(),
    ...textRelatives(),
    ...weekdayExprs(),
    ...firstLast(),
    ...ordinalWeekdayOf(),
    ...timesOfDay(),
    ...absolutes(),
    ...REJECTED_SAMPLES,
  ];
  for (const base of ['today', 'tomorrow', '+1 week', 'first day of next month', 'last monday', 'monday next week']) {
    for (const time of times) all.push(base + time);
  }
  return [...new Set(all)];
}

const at = (iso: string): number => Date.parse(iso) / 1000;

/** "now" instants, epoch seconds: every one is used with Europe/Paris. */
export function corpusNows(): number[] {
  const out: number[] = [];
  // Europe/Paris DST changes: 2025-03-30 01:00Z and 2025-10-26 01:00Z (and 2024's), on either side.
  for (const day of ['2025-03-30', '2025-10-26', '2024-03-31', '2024-10-27']) {
    for (const t of ['T00:00:00Z', 'T00:30:00Z', 'T00:59:59Z', 'T01:00:00Z', 'T01:30:00Z', 'T02:00:00Z', 'T22:30:00Z']) {
      out.push(at(day + t));
    }
  }
  // The day before each change, late evening local time.
  out.push(at('2025-03-29T23:30:00Z'), at('2025-10-25T22:15:00Z'));
  // Month ends, leap day, year ends.
  for (const iso of [
    '2025-01-31T11:00:00Z',
    '2025-01-30T23:30:00Z',
    '2024-02-29T09:00:00Z',
    '2024-02-28T23:00:00Z',
    '2025-02-28T12:00:00Z',
    '2024-12-31T22:59:59Z',
    '2025-12-31T23:30:00Z',
    '2026-01-01T00:00:00Z',
    '2025-04-30T21:59:59Z',
    '2025-08-31T12:00:00Z',
    '2025-05-31T23:59:59Z',
  ])
    out.push(at(iso));
  // Every weekday (2025-06-02 is a Monday), mid-morning and just before midnight local.
  for (let d = 2; d <= 8; d++) {
    out.push(at(`2025-06-0${d}T08:15:30Z`), at(`2025-06-0${d}T21:59:30Z`));
  }
  return out;
}

/** Other zones, each with its own DST days and a few plain instants. */
export function corpusOtherZones(): Array<{ tz: string; nows: number[] }> {
  const plain = [at('2025-01-31T11:00:00Z'), at('2024-02-29T09:00:00Z'), at('2025-06-04T08:15:30Z'), at('2024-12-31T22:59:59Z')];
  return [
    { tz: 'UTC', nows: plain },
    {
      tz: 'America/New_York',
      nows: [...plain, at('2025-03-09T06:30:00Z'), at('2025-03-09T07:30:00Z'), at('2025-11-02T05:30:00Z'), at('2025-11-02T06:30:00Z')],
    },
    {
      tz: 'Australia/Sydney',
      nows: [...plain, at('2025-04-05T15:30:00Z'), at('2025-04-05T16:30:00Z'), at('2025-10-04T15:30:00Z'), at('2025-10-04T16:30:00Z')],
    },
  ];
}
