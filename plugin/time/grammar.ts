/**
 * The token grammar of PHP's date parser (timelib `parse_date.re`, as shipped with PHP 8.2),
 * transcribed pattern for pattern. The rule order below is the re2c rule order: it decides ties
 * between equally long matches, so it must not be changed.
 */
import { Lexer, alt, cls, istr, opt, plus, rep, seq, star, str, type Pattern } from './lexer.js';

const digit = cls('0-9');
const nbsp = str('\xc2\xa0');
const nnbsp = str('\xe2\x80\xaf');
const space = alt(plus(cls(' \t')), plus(nbsp), plus(nnbsp));
const frac = seq(str('.'), plus(digit));
const ago = istr('ago');

const hour24 = alt(seq(opt(cls('01')), digit), seq(str('2'), cls('0-4')));
const hour24lz = alt(seq(cls('01'), digit), seq(str('2'), cls('0-4')));
const hour12 = alt(seq(opt(str('0')), cls('1-9')), seq(str('1'), cls('0-2')));
const minute = seq(opt(cls('0-5')), digit);
const minutelz = seq(cls('0-5'), digit);
const second = alt(minute, str('60'));
const secondlz = alt(minutelz, str('60'));
const meridian = seq(cls('AaPp'), opt(str('.')), cls('Mm'), opt(str('.')), cls('\x00\t '));
const tz = alt(
  seq(opt(str('(')), rep(cls('A-Za-z'), 1, 6), opt(str(')'))),
  seq(cls('A-Z'), plus(cls('a-z')), plus(seq(cls('_/-'), plus(cls('A-Za-z'))))),
);
const tzcorrection = seq(
  opt(str('GMT')),
  cls('+-'),
  alt(
    seq(hour24, opt(seq(opt(str(':')), minute))),
    seq(hour24lz, minutelz, secondlz),
    seq(hour24lz, str(':'), minutelz, str(':'), secondlz),
  ),
);

const daysuf = alt(str('st'), str('nd'), str('rd'), str('th'));
const month = alt(seq(opt(str('0')), digit), seq(str('1'), cls('0-2')));
const day = seq(alt(seq(opt(cls('0-2')), digit), seq(str('3'), cls('01'))), opt(daysuf));
const year = rep(digit, 1, 4);
const year2 = rep(digit, 2, 2);
const year4 = rep(digit, 4, 4);
const year4withsign = seq(opt(cls('+-')), rep(digit, 4, 4));
const yearx = seq(cls('+-'), rep(digit, 5, 19));

const dayofyear = alt(
  seq(str('00'), cls('1-9')),
  seq(str('0'), cls('1-9'), digit),
  seq(cls('1-2'), digit, digit),
  seq(str('3'), cls('0-5'), digit),
  seq(str('36'), cls('0-6')),
);
const weekofyear = alt(seq(str('0'), cls('1-9')), seq(cls('1-4'), digit), seq(str('5'), cls('0-3')));
const monthlz = alt(seq(str('0'), digit), seq(str('1'), cls('0-2')));
const daylz = alt(seq(str('0'), digit), seq(cls('1-2'), digit), seq(str('3'), cls('01')));

const words = (...w: string[]): Pattern => alt(...w.map(istr));
const dayfulls = words('sundays', 'mondays', 'tuesdays', 'wednesdays', 'thursdays', 'fridays', 'saturdays');
const dayfull = words('sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday');
const dayabbr = words('sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun');
const dayspecial = words('weekday', 'weekdays');
const daytext = alt(dayfulls, dayfull, dayabbr, dayspecial);
const monthfull = words(
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
);
const monthabbr = words('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec');
const monthroman = alt(...['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'].map(str));
const monthtext = alt(monthfull, monthabbr, monthroman);

const timetiny12 = seq(hour12, opt(space), meridian);
const timeshort12 = seq(hour12, cls(':.'), minutelz, opt(space), meridian);
const timelong12 = seq(hour12, cls(':.'), minute, cls(':.'), secondlz, opt(space), meridian);
const timetiny24 = seq(istr('t'), hour24);
const timeshort24 = seq(opt(istr('t')), hour24, cls(':.'), minute);
const timelong24 = seq(opt(istr('t')), hour24, cls(':.'), minute, cls(':.'), second);
const iso8601long = seq(opt(istr('t')), hour24, cls(':.'), minute, cls(':.'), second, frac);
const iso8601normtz = seq(opt(istr('t')), hour24, cls(':.'), minute, cls(':.'), secondlz, opt(space), alt(tzcorrection, tz));
const gnunocolon = seq(opt(istr('t')), hour24lz, minutelz);
const iso8601nocolon = seq(opt(istr('t')), hour24lz, minutelz, secondlz);

const americanshort = seq(month, str('/'), day);
const american = seq(month, str('/'), day, str('/'), year);
const iso8601dateslash = seq(year4, str('/'), monthlz, str('/'), daylz, opt(str('/')));
const dateslash = seq(year4, str('/'), month, str('/'), day);
const iso8601date4 = seq(year4withsign, str('-'), monthlz, str('-'), daylz);
const iso8601date2 = seq(year2, str('-'), monthlz, str('-'), daylz);
const iso8601datex = seq(yearx, str('-'), monthlz, str('-'), daylz);
const gnudateshorter = seq(year4, str('-'), month);
const gnudateshort = seq(year, str('-'), month, str('-'), day);
const pointeddate4 = seq(day, cls('.\t-'), month, cls('.-'), year4);
const pointeddate2 = seq(day, cls('.\t'), month, str('.'), year2);
const datefull = seq(day, star(cls(' \t.-')), monthtext, star(cls(' \t.-')), year);
const datenoday = seq(monthtext, star(cls(' .\t-')), year4);
const datenodayrev = seq(year4, star(cls(' .\t-')), monthtext);
const datetextual = seq(monthtext, star(cls(' .\t-')), day, plus(cls(',.stndrh\t ')), year);
const datenoyear = seq(monthtext, star(cls(' .\t-')), day, alt(plus(cls(',.stndrh\t ')), str('\x00')));
const datenoyearrev = seq(day, star(cls(' .\t-')), monthtext);
const datenocolon = seq(year4, monthlz, daylz);

const soap = seq(
  year4,
  str('-'),
  monthlz,
  str('-'),
  daylz,
  str('T'),
  hour24lz,
  str(':'),
  minutelz,
  str(':'),
  secondlz,
  frac,
  opt(tzcorrection),
);
const xmlrpc = seq(year4, monthlz, daylz, str('T'), hour24, str(':'), minutelz, str(':'), secondlz);
const xmlrpcnocolon = seq(year4, monthlz, daylz, istr('t'), hour24, minutelz, secondlz);
const wddx = seq(year4, str('-'), month, str('-'), day, str('T'), hour24, str(':'), minute, str(':'), second);
const pgydotd = seq(year4, opt(cls('.-')), dayofyear);
const pgtextshort = seq(monthabbr, str('-'), daylz, str('-'), year);
const pgtextreverse = seq(year, str('-'), monthabbr, str('-'), daylz);
const mssqltime = seq(hour12, str(':'), minutelz, str(':'), secondlz, cls(':.'), plus(digit), meridian);
const isoweekday = seq(year4, opt(str('-')), str('W'), weekofyear, opt(str('-')), cls('0-7'));
const isoweek = seq(year4, opt(str('-')), str('W'), weekofyear);
const exif = seq(year4, str(':'), monthlz, str(':'), daylz, str(' '), hour24lz, str(':'), minutelz, str(':'), secondlz);
const firstdayof = istr('first day of');
const lastdayof = istr('last day of');
const backof = seq(istr('back of '), hour24, opt(seq(opt(space), meridian)));
const frontof = seq(istr('front of '), hour24, opt(seq(opt(space), meridian)));
const clf = seq(day, str('/'), monthabbr, str('/'), year4, str(':'), hour24lz, str(':'), minutelz, str(':'), secondlz, space, tzcorrection);
const timestamp = seq(str('@'), opt(str('-')), plus(digit));
const timestampms = seq(str('@'), opt(str('-')), plus(digit), str('.'), rep(digit, 0, 6));

const dateshortwithtimeshort12 = seq(datenoyear, timeshort12);
const dateshortwithtimelong12 = seq(datenoyear, timelong12);
const dateshortwithtimeshort = seq(datenoyear, timeshort24);
const dateshortwithtimelong = seq(datenoyear, timelong24);
const dateshortwithtimelongtz = seq(datenoyear, iso8601normtz);

const reltextnumber = words(
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eight',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
);
const reltexttext = words('next', 'last', 'previous', 'this');
const reltextunit = alt(
  istr('ms'),
  istr('\xc2\xb5s'),
  seq(
    words(
      'msec',
      'millisecond',
      '\xc2\xb5sec',
      'microsecond',
      'usec',
      'sec',
      'second',
      'min',
      'minute',
      'hour',
      'day',
      'fortnight',
      'forthnight',
      'month',
      'year',
    ),
    opt(istr('s')),
  ),
  istr('weeks'),
  daytext,
);
const relnumber = seq(star(cls('+-')), star(cls(' \t')), rep(digit, 1, 13));
const relative = seq(relnumber, opt(space), alt(reltextunit, istr('week')));
const relativetext = seq(alt(reltextnumber, reltexttext), space, reltextunit);
const relativetextweek = seq(reltexttext, space, istr('week'));
const weekdayof = seq(alt(reltextnumber, reltexttext), space, alt(dayfulls, dayfull, dayabbr), space, istr('of'));

/** Names of the rules, in re2c order; the parser switches on these. */
export const RULES = [
  ['yesterday', istr('yesterday')],
  ['now', istr('now')],
  ['noon', istr('noon')],
  ['midnight_today', alt(istr('midnight'), istr('today'))],
  ['tomorrow', istr('tomorrow')],
  ['timestamp', timestamp],
  ['timestampms', timestampms],
  ['firstlastdayof', alt(firstdayof, lastdayof)],
  ['backfrontof', alt(backof, frontof)],
  ['weekdayof', weekdayof],
  ['time12', alt(timetiny12, timeshort12, timelong12)],
  ['mssqltime', mssqltime],
  ['time24', alt(timetiny24, timeshort24, timelong24, iso8601long)],
  ['gnunocolon', gnunocolon],
  ['iso8601nocolon', iso8601nocolon],
  ['american', alt(americanshort, american)],
  ['iso8601date4', alt(iso8601date4, iso8601dateslash, dateslash)],
  ['iso8601date2', iso8601date2],
  ['iso8601datex', iso8601datex],
  ['gnudateshorter', gnudateshorter],
  ['gnudateshort', gnudateshort],
  ['datefull', datefull],
  ['pointeddate4', pointeddate4],
  ['pointeddate2', pointeddate2],
  ['datenoday', datenoday],
  ['datenodayrev', datenodayrev],
  ['datetextual', alt(datetextual, datenoyear)],
  ['datenoyearrev', datenoyearrev],
  ['datenocolon', datenocolon],
  ['xmlrpc', alt(xmlrpc, xmlrpcnocolon, soap, wddx, exif)],
  ['pgydotd', pgydotd],
  ['isoweekday', isoweekday],
  ['isoweek', isoweek],
  ['pgtextshort', pgtextshort],
  ['pgtextreverse', pgtextreverse],
  ['clf', clf],
  ['year4', year4],
  ['ago', ago],
  ['daytext', daytext],
  ['relativetextweek', relativetextweek],
  ['relativetext', relativetext],
  ['monthtext', alt(monthfull, monthabbr)],
  ['tz', alt(tzcorrection, tz)],
  ['dateshortwithtime12', alt(dateshortwithtimeshort12, dateshortwithtimelong12)],
  ['dateshortwithtime', alt(dateshortwithtimeshort, dateshortwithtimelong, dateshortwithtimelongtz)],
  ['relative', relative],
  ['skip', cls('.,')],
  ['space', space],
  ['eol', cls('\x00\n')],
  ['any', cls('\x00-\xff')],
] as const;

export type RuleName = (typeof RULES)[number][0];

let lexer: Lexer | undefined;
/** Built on first use: compiling the grammar takes a few milliseconds. */
export function getLexer(): Lexer {
  lexer ??= new Lexer(RULES.map(([, p]) => p));
  return lexer;
}
