/**
 * RTE's two Tempo calendar services on 127.0.0.1, for tests and the demo (one server, both paths):
 * - open data: GET /cms/open_data/v1/tempo?season=2021-2022 → {"values": {"2021-09-01": "BLUE", …}}
 *   (the whole season as far as published; an unknown season gives {"values": {}});
 * - "Tempo Like Supply Contract": POST /token/oauth/ (HTTP Basic client id:secret, else 401
 *   {"error": "invalid_client"}) → {"access_token", "token_type": "Bearer", "expires_in": 7200}; then
 *   GET /open_api/tempo_like_supply_contract/v1/tempo_like_calendars?start_date=…&end_date=… with
 *   "Authorization: Bearer <token>" → {"tempo_like_calendars": {"start_date", "end_date", "values":
 *   [{"start_date": "2022-01-10T00:00:00+01:00", "end_date", "value": "RED", "updated_date"}]}},
 *   newest day first as RTE answers; 400 {"error", "error_description"} for a bad or > 366-day range.
 * The days served are those given (`days`), up to `until` (what RTE has published by then), minus
 * `missing` (RTE's API lacked 2022-12-28, for instance). Faults, each for `count` requests (all when
 * absent): http500, hang (never answers), malformed (JSON cut short), token401 (the token endpoint
 * refuses any credentials).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import moment from 'moment-timezone';
import type { TempoColour } from '../plugin/tempo/colours.js';
import { seasonBounds } from '../plugin/tempo/colours.js';

export type TempoFaultKind = 'http500' | 'hang' | 'malformed' | 'token401';
export interface TempoFault {
  kind: TempoFaultKind;
  count?: number;
  /** Only requests to this path prefix fail (all paths when absent). */
  path?: string;
}

export interface TempoSimulatorOptions {
  days: Map<string, TempoColour> | Record<string, TempoColour>;
  /** Last day published (inclusive); every given day when absent. */
  until?: string;
  missing?: Iterable<string>;
  clientId?: string;
  clientSecret?: string;
}

export interface TempoSimulator {
  url: string;
  /** Requests received, by route: openData, token, calendar (and other). */
  requests: { openData: number; token: number; calendar: number; other: number };
  /** Every request line received, e.g. "GET /cms/open_data/v1/tempo?season=2021-2022". */
  log: string[];
  /** Headers of every request (to prove a secret went only where it belongs). */
  headers: http.IncomingHttpHeaders[];
  fault?: TempoFault;
  until?: string;
  missing: Set<string>;
  close(): Promise<void>;
}

export const TEMPO_SIM_CLIENT_ID = 'sim-rte-client-id';
export const TEMPO_SIM_CLIENT_SECRET = 'sim-rte-client-secret-0123456789';
const CALENDAR_PATH = '/open_api/tempo_like_supply_contract/v1/tempo_like_calendars';

export async function startTempoSimulator(options: TempoSimulatorOptions): Promise<TempoSimulator> {
  const days = options.days instanceof Map ? options.days : new Map(Object.entries(options.days));
  const clientId = options.clientId ?? TEMPO_SIM_CLIENT_ID;
  const clientSecret = options.clientSecret ?? TEMPO_SIM_CLIENT_SECRET;
  const tokens = new Set<string>();
  const hanging = new Set<http.ServerResponse>();

  const published = (day: string) => days.get(day) !== undefined && (sim.until === undefined || day <= sim.until) && !sim.missing.has(day);
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    sim.log.push(`${req.method} ${url.pathname}${url.search}`);
    sim.headers.push(req.headers);
    const route =
      url.pathname === '/cms/open_data/v1/tempo'
        ? 'openData'
        : url.pathname.replace(/\/$/, '') === '/token/oauth'
          ? 'token'
          : url.pathname === CALENDAR_PATH
            ? 'calendar'
            : 'other';
    sim.requests[route]++;
    req.resume();
    req.on('end', () => {
      const fault = sim.fault;
      if (fault && (fault.path === undefined || url.pathname.startsWith(fault.path)) && (fault.kind !== 'token401' || route === 'token')) {
        if (fault.count !== undefined && --fault.count <= 0) sim.fault = undefined;
        if (fault.kind === 'hang') return void hanging.add(res);
        if (fault.kind === 'http500') return json(res, 500, { error: 'COMMON_ERROR_T03', error_description: 'Error code unknown' });
        if (fault.kind === 'malformed') {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          return void res.end('{"values": {"2021-09-01": "BLUE", "2021-09-0');
        }
        if (fault.kind === 'token401') return json(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
      }
      if (route === 'openData') {
        const season = url.searchParams.get('season') ?? '';
        if (!/^\d{4}-\d{4}$/.test(season)) return json(res, 400, { error: 'BAD_SEASON' });
        const { first, last } = seasonBounds(season);
        const values: Record<string, TempoColour> = {};
        for (const [d, c] of [...days].sort()) if (d >= first && d <= last && published(d)) values[d] = c;
        return json(res, 200, { values });
      }
      if (route === 'token') {
        if (req.method !== 'POST') return json(res, 405, { error: 'method_not_allowed' });
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const [id, secret] = basic ? Buffer.from(basic, 'base64').toString().split(':') : [];
        if (id !== clientId || secret !== clientSecret)
          return json(res, 401, { error: 'invalid_client', error_description: 'Bad credentials' });
        const token = randomBytes(24).toString('base64url');
        tokens.add(token);
        return json(res, 200, { access_token: token, token_type: 'Bearer', expires_in: 7200 });
      }
      if (route === 'calendar') {
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        if (!bearer || !tokens.has(bearer))
          return json(res, 401, { error: 'invalid_token', error_description: 'Invalid or expired token' });
        const start = moment.parseZone(url.searchParams.get('start_date') ?? '', moment.ISO_8601, true);
        const end = moment.parseZone(url.searchParams.get('end_date') ?? '', moment.ISO_8601, true);
        if (!start.isValid() || !end.isValid() || !end.isAfter(start) || end.diff(start, 'days') > 366) {
          return json(res, 400, {
            error: 'TMPLIKSUPCON_TMPLIKCAL_F04',
            error_description: 'start_date and end_date: two ISO 8601 instants, end after start, at most 366 days apart',
          });
        }
        const from = start.format('YYYY-MM-DD');
        const to = end.format('YYYY-MM-DD'); // exclusive
        const values = [...days.keys()]
          .filter((d) => d >= from && d < to && published(d))
          .sort()
          .reverse()
          .map((d) => {
            const at = (day: string) => moment.tz(day, 'Europe/Paris').format('YYYY-MM-DDTHH:mm:ssZ');
            return {
              start_date: at(d),
              end_date: at(moment.utc(d).add(1, 'day').format('YYYY-MM-DD')),
              value: days.get(d),
              updated_date: moment.tz(d, 'Europe/Paris').subtract(1, 'day').hour(10).minute(20).format('YYYY-MM-DDTHH:mm:ssZ'),
            };
          });
        return json(res, 200, { tempo_like_calendars: { start_date: start.format(), end_date: end.format(), values } });
      }
      json(res, 404, { error: 'not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const sim: TempoSimulator = {
    url: `http://127.0.0.1:${port}`,
    requests: { openData: 0, token: 0, calendar: 0, other: 0 },
    log: [],
    headers: [],
    until: options.until,
    missing: new Set(options.missing ?? []),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return sim;
}

// ------------------------------------------------------------------ a real season, for the demo

/**
 * RTE's published colours of the 2021-2022 season (the same facts as
 * test/fixtures/tempo/season-2021-2022.csv; source: github.com/hekmon/edfbleu, bleu_tempodays.go,
 * commit ce8c621ef8ddc3cf22c5520a7983a3ff693a03e2): its red and white days, every other day blue.
 */
export const SEASON_2021_2022 = {
  RED: [
    '2021-11-29',
    '2021-12-13',
    '2021-12-14',
    '2021-12-15',
    '2021-12-20',
    '2021-12-21',
    '2021-12-22',
    '2022-01-06',
    '2022-01-10',
    '2022-01-11',
    '2022-01-12',
    '2022-01-13',
    '2022-01-14',
    '2022-01-17',
    '2022-01-18',
    '2022-01-19',
    '2022-01-20',
    '2022-01-21',
    '2022-01-24',
    '2022-01-25',
    '2022-01-26',
    '2022-01-27',
  ],
  WHITE: [
    '2021-11-23',
    '2021-11-24',
    '2021-11-25',
    '2021-11-26',
    '2021-11-30',
    '2021-12-01',
    '2021-12-02',
    '2021-12-03',
    '2021-12-06',
    '2021-12-07',
    '2021-12-08',
    '2021-12-09',
    '2021-12-11',
    '2021-12-16',
    '2021-12-17',
    '2022-01-05',
    '2022-01-07',
    '2022-01-15',
    '2022-01-22',
    '2022-01-28',
    '2022-01-31',
    '2022-02-02',
    '2022-02-03',
    '2022-02-07',
    '2022-02-08',
    '2022-02-09',
    '2022-02-10',
    '2022-02-11',
    '2022-02-23',
    '2022-02-25',
    '2022-02-28',
    '2022-03-01',
    '2022-03-02',
    '2022-03-03',
    '2022-03-07',
    '2022-03-08',
    '2022-04-04',
    '2022-04-05',
    '2022-04-06',
    '2022-04-14',
    '2022-05-24',
    '2022-05-30',
    '2022-05-31',
  ],
} as const;

const nextDay = (d: string) => moment.utc(d).add(1, 'day').format('YYYY-MM-DD');

/** The colours of the 2021-2022 season, every day of it. */
export function season20212022(): Map<string, TempoColour> {
  const out = new Map<string, TempoColour>();
  const { first, last } = seasonBounds('2021-2022');
  for (let d = first; d <= last; d = nextDay(d)) out.set(d, 'BLUE');
  for (const d of SEASON_2021_2022.WHITE) out.set(d, 'WHITE');
  for (const d of SEASON_2021_2022.RED) out.set(d, 'RED');
  return out;
}

/**
 * DEMO DATA, not RTE's colours for these dates: the 2021-2022 season's colours moved onto the
 * days [from; to] (any dates), each day taking the colour of the 2021-2022 day a whole number of
 * 52-week steps (364 days) away. Whole weeks keep the weekdays (no red Sunday) and the time of
 * year (winter reds stay in winter, drifting one day a year).
 */
export function shiftedSeasonDays(from: string, to: string): Map<string, TempoColour> {
  const season = season20212022();
  // The 364 days 2021-09-02 … 2022-08-31 hold exactly one day of each 364-day class.
  const lastMs = Date.parse('2022-08-31T00:00:00Z');
  const out = new Map<string, TempoColour>();
  for (let d = from, guard = 0; d <= to && guard < 5000; d = nextDay(d), guard++) {
    const steps = Math.floor((lastMs - Date.parse(`${d}T00:00:00Z`)) / (364 * 86_400_000));
    out.set(
      d,
      season.get(
        moment
          .utc(d)
          .add(steps * 364, 'days')
          .format('YYYY-MM-DD'),
      )!,
    );
  }
  return out;
}
