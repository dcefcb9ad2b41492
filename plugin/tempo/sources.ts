/**
 * The three places a Tempo colour comes from, behind one small interface: `fetch(days)` answers
 * the colours it found for those days (a day it does not know is simply absent) or throws a
 * JeelinkyError (temporary: network, 5xx, bad answer; action needed: refused credentials, wrong URL).
 *
 * - `rte`: RTE's account-free open data, GET <url>/cms/open_data/v1/tempo?season=2023-2024, which
 *   answers {"values": {"2023-09-01": "BLUE", …}} for the whole season (hekmon/rtetempo #70);
 * - `rte-api`: RTE's documented API "Tempo Like Supply Contract": POST <url>/token/oauth/ with the
 *   client id and secret as HTTP Basic auth, then GET <url>/open_api/tempo_like_supply_contract/v1/
 *   tempo_like_calendars?start_date=…&end_date=… (ISO instants with offset, at most 366 days),
 *   which answers {"tempo_like_calendars": {"values": [{"start_date", "end_date", "value", "updated_date"}]}};
 * - `file`: the user's calendar, CSV ("2024-01-08,RED" per line, # comments) or JSON
 *   ({"2024-01-08": "RED"} or the open data's {"values": {…}}).
 */
import fs from 'node:fs';
import moment from 'moment-timezone';
import type { JeelinkyConfig } from '../config.js';
import { notJsonError, ProxyHttp, retryIn, type RawAnswer } from '../enedis/http.js';
import { ConfigError, ProtocolError, TemporaryError } from '../errors.js';
import { redact } from '../secrets.js';
import { addDays, isDay } from '../time/local.js';
import { parseColour, seasonBounds, seasonOf, type TempoColour } from './colours.js';
import type { TempoSettings } from './settings.js';

/** RTE names Tempo days in French time, whatever the meter's zone. */
export const RTE_TZ = 'Europe/Paris';

export interface TempoSource {
  readonly name: string;
  /** Colours found for `days` (sorted, unique); calls made are counted in `calls`. */
  fetch(days: string[]): Promise<Map<string, TempoColour>>;
  calls: number;
}

export interface SourceOptions {
  config: Pick<JeelinkyConfig, 'userAgent' | 'timeoutMs' | 'paceMs' | 'retryBaseMs'>;
  signal?: AbortSignal;
}

function http(opts: SourceOptions, count: () => void): ProxyHttp {
  return new ProxyHttp({
    userAgent: opts.config.userAgent,
    timeoutMs: opts.config.timeoutMs,
    paceMs: opts.config.paceMs,
    retryBaseMs: opts.config.retryBaseMs,
    maxRetries: 2,
    signal: opts.signal,
    beforeSend: count,
    urlSetting: () => 'JEELINKY_TEMPO_URL',
  });
}

/** The error for an HTTP answer that is not the calendar (status first, then the body). */
function answerError(answer: RawAnswer, what: string, secrets: string[] = []): TemporaryError {
  const detail = (() => {
    const b = answer.body as { error?: unknown; error_description?: unknown } | undefined;
    const d = b && typeof b === 'object' ? [b.error, b.error_description].filter((x) => typeof x === 'string').join(': ') : answer.snippet;
    return d ? ` (${redact(String(d), secrets).slice(0, 120)})` : '';
  })();
  if (answer.status === 429)
    return new TemporaryError(`${what}: too many requests (HTTP 429)${detail}; run again later`, 'rte_rate_limited', retryIn(3600));
  if (answer.status >= 500)
    return new TemporaryError(
      `${what}: RTE is unavailable (HTTP ${answer.status})${detail}; run again later`,
      'rte_unavailable',
      retryIn(3600),
    );
  if (answer.format !== 'json') return notJsonError(answer, what);
  return new ProtocolError(`${what}: unexpected answer (HTTP ${answer.status})${detail}; run again later`, 'rte_bad_answer', retryIn(3600));
}

// ------------------------------------------------------------------ RTE open data

export class RteOpenDataSource implements TempoSource {
  readonly name = 'rte';
  calls = 0;
  private readonly http: ProxyHttp;
  constructor(
    private readonly settings: TempoSettings,
    opts: SourceOptions,
  ) {
    this.http = http(opts, () => void this.calls++);
  }

  async fetch(days: string[]): Promise<Map<string, TempoColour>> {
    const out = new Map<string, TempoColour>();
    const seasons = [...new Set(days.map(seasonOf))];
    for (const season of seasons) {
      const url = `${this.settings.url}/cms/open_data/v1/tempo`;
      const what = `RTE Tempo open data (${new URL(url).host}, season ${season})`;
      const answer = await this.http.get(url, { season }, { retry: true });
      const values = (answer.body as { values?: unknown } | undefined)?.values;
      if (answer.status !== 200 || answer.format !== 'json' || !values || typeof values !== 'object' || Array.isArray(values))
        throw answerError(answer, what);
      const { first, last } = seasonBounds(season);
      for (const [day, raw] of Object.entries(values as Record<string, unknown>)) {
        const colour = parseColour(raw);
        if (isDay(day) && day >= first && day <= last && colour) out.set(day, colour);
      }
    }
    return out;
  }
}

// ------------------------------------------------------------------ RTE API (OAuth)

const CALENDAR_PATH = '/open_api/tempo_like_supply_contract/v1/tempo_like_calendars';
/** RTE refuses a longer range in one call. */
const MAX_RANGE_DAYS = 366;

export class RteApiSource implements TempoSource {
  readonly name = 'rte-api';
  calls = 0;
  private readonly http: ProxyHttp;
  private token?: string;
  constructor(
    private readonly settings: TempoSettings,
    opts: SourceOptions,
  ) {
    this.http = http(opts, () => void this.calls++);
  }

  private get secrets(): string[] {
    return [this.settings.clientSecret, this.token].filter((s): s is string => Boolean(s));
  }

  private async getToken(): Promise<string> {
    const url = `${this.settings.url}/token/oauth/`;
    const basic = Buffer.from(`${this.settings.clientId}:${this.settings.clientSecret}`).toString('base64');
    const answer = await this.http.postForm(
      url,
      { grant_type: 'client_credentials' },
      { retry: true, headers: { Authorization: `Basic ${basic}` } },
    );
    const what = `RTE API token (${new URL(url).host})`;
    if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
      throw new ConfigError(
        `${what}: RTE refused the application's credentials (HTTP ${answer.status}): check JEELINKY_RTE_CLIENT_ID and JEELINKY_RTE_CLIENT_SECRET (data.rte-france.com → your application), or use JEELINKY_TEMPO_SOURCE=rte (no account)`,
        'tempo_credentials',
      );
    }
    const token = (answer.body as { access_token?: unknown } | undefined)?.access_token;
    if (answer.status !== 200 || typeof token !== 'string' || !token) throw answerError(answer, what, this.secrets);
    this.token = token;
    return token;
  }

  async fetch(days: string[]): Promise<Map<string, TempoColour>> {
    const out = new Map<string, TempoColour>();
    if (!days.length) return out;
    let from = days[0]!;
    const last = days[days.length - 1]!;
    while (from <= last) {
      const to = [addDays(from, MAX_RANGE_DAYS - 1), last].sort()[0]!;
      await this.fetchRange(from, to, out);
      from = addDays(to, 1);
    }
    return out;
  }

  private async fetchRange(from: string, to: string, out: Map<string, TempoColour>): Promise<void> {
    const url = `${this.settings.url}${CALENDAR_PATH}`;
    const what = `RTE API calendar (${new URL(url).host}, ${from} → ${to})`;
    const at = (day: string) => moment.tz(day, RTE_TZ).format('YYYY-MM-DDTHH:mm:ssZ');
    const query = { start_date: at(from), end_date: at(addDays(to, 1)) };
    for (let attempt = 0; ; attempt++) {
      const token = this.token ?? (await this.getToken());
      const answer = await this.http.get(url, query, { retry: true, headers: { Authorization: `Bearer ${token}` } });
      if (answer.status === 401 && attempt === 0) {
        // The token expired (they live 2 h): one new token, once.
        this.token = undefined;
        continue;
      }
      if (answer.status === 401 || answer.status === 403) {
        throw new ConfigError(
          `${what}: RTE refuses this application (HTTP ${answer.status}): subscribe it to "Tempo Like Supply Contract" on data.rte-france.com and check JEELINKY_RTE_CLIENT_ID and JEELINKY_RTE_CLIENT_SECRET`,
          'tempo_credentials',
        );
      }
      const values = (answer.body as { tempo_like_calendars?: { values?: unknown } } | undefined)?.tempo_like_calendars?.values;
      if (answer.status !== 200 || answer.format !== 'json' || !Array.isArray(values)) throw answerError(answer, what, this.secrets);
      for (const v of values as Array<{ start_date?: unknown; value?: unknown }>) {
        // The start instant's local date names the Tempo day ("2024-01-08T00:00:00+01:00").
        const day = typeof v?.start_date === 'string' ? v.start_date.slice(0, 10) : '';
        const colour = parseColour(v?.value);
        if (isDay(day) && colour) out.set(day, colour);
      }
      return;
    }
  }
}

// ------------------------------------------------------------------ the user's file

/** Reads the user's calendar; a line or value that is not a day and a colour is a ConfigError naming it. */
export function readCalendarFile(file: string, setting = 'JEELINKY_TEMPO_FILE'): Map<string, TempoColour> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(
      `${setting}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): fix the path or unset ${setting}`,
      'tempo_file',
    );
  }
  const out = new Map<string, TempoColour>();
  const add = (day: string, raw: unknown, where: string) => {
    const colour = parseColour(raw);
    if (!isDay(day) || !colour)
      throw new ConfigError(
        `${setting}: ${file} ${where}: "${day},${String(raw)}" is not a day and a colour; write YYYY-MM-DD,BLUE|WHITE|RED`,
        'tempo_file',
      );
    out.set(day, colour);
  };
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new ConfigError(
        `${setting}: ${file} is not valid JSON (${(e as Error).message}); write {"2024-01-08": "RED", …} or CSV lines "2024-01-08,RED"`,
        'tempo_file',
      );
    }
    const values = (json as { values?: unknown }).values ?? json;
    if (!values || typeof values !== 'object' || Array.isArray(values))
      throw new ConfigError(`${setting}: ${file}: expected {"2024-01-08": "RED", …}`, 'tempo_file');
    for (const [day, raw] of Object.entries(values as Record<string, unknown>)) add(day, raw, `key "${day}"`);
    return out;
  }
  text.split(/\r?\n/).forEach((line, i) => {
    const l = line.trim();
    if (!l || l.startsWith('#')) return;
    const [day = '', raw = '', ...rest] = l.split(/[,;\t]/).map((c) => c.trim().replace(/^"|"$/g, ''));
    if (i === 0 && !isDay(day) && /date|day|jour/i.test(day)) return; // a header line
    if (rest.some(Boolean))
      throw new ConfigError(`${setting}: ${file} line ${i + 1}: "${l}" has more than a day and a colour`, 'tempo_file');
    add(day, raw, `line ${i + 1}`);
  });
  return out;
}

export class FileSource implements TempoSource {
  readonly name = 'file';
  calls = 0;
  constructor(private readonly file: string) {}
  async fetch(days: string[]): Promise<Map<string, TempoColour>> {
    const all = readCalendarFile(this.file);
    return new Map(days.filter((d) => all.has(d)).map((d) => [d, all.get(d)!]));
  }
}

export function makeSource(settings: TempoSettings, opts: SourceOptions): TempoSource {
  if (settings.source === 'file') return new FileSource(settings.file!);
  if (settings.source === 'rte-api') return new RteApiSource(settings, opts);
  return new RteOpenDataSource(settings, opts);
}
