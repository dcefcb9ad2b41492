/**
 * The Enedis/proxy simulator against the recorded answers of test/fixtures/enedis (docs/enedis-api.md §8), over real HTTP on 127.0.0.1.
 * Shapes are compared key by key and type by type with the fixtures' bodies.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  METERING_ROUTES,
  PRODUCTION_CLIENT_ID,
  VIA_HEADER,
  faults,
  simulatedCurve,
  simulatedDaily,
  simulatedMaxPower,
  startEnedisSimulator,
  versionCompare,
  demoSimulatorOptions,
  type EnedisSimulator,
  type EnedisSimulatorOptions,
} from '../simulators/enedis.js';

interface Fixture {
  status: number;
  headers: Record<string, string>;
  body: any;
  instants?: string[];
}
const fixture = (name: string): Fixture =>
  JSON.parse(readFileSync(new URL(`./fixtures/enedis/${name}.json`, import.meta.url), 'utf8')) as Fixture;

/** Keys and value types, recursively; arrays by the shape of every element (all must agree). */
function shape(x: unknown): unknown {
  if (x === null) return 'null';
  if (Array.isArray(x)) {
    const shapes = x.map(shape);
    const first = JSON.stringify(shapes[0]);
    for (const s of shapes) if (JSON.stringify(s) !== first) return ['mixed', shapes];
    return [shapes[0]];
  }
  if (typeof x === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(x as object).sort()) o[k] = shape((x as Record<string, unknown>)[k]);
    return o;
  }
  return typeof x;
}

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const PDL = '00000000000001';
const PDL2 = '00000000000002';

let sim: EnedisSimulator | undefined;
let nowMs = 0;
const setNow = (iso: string) => {
  nowMs = Date.parse(iso);
};
const advance = (seconds: number) => {
  nowMs += seconds * 1000;
};

async function start(opts: EnedisSimulatorOptions = {}): Promise<EnedisSimulator> {
  sim = await startEnedisSimulator({ now: () => new Date(nowMs), ...opts });
  return sim;
}

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

interface Res {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

async function req(path: string, init: { form?: Record<string, string>; headers?: Record<string, string> } = {}): Promise<Res> {
  const r = await fetch(
    sim!.url + path,
    init.form
      ? {
          method: 'POST',
          body: new URLSearchParams(init.form),
          headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.headers ?? {}) },
        }
      : { headers: init.headers ?? {} },
  );
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const deviceCode = () => req('/device/code', { form: { client_id: PRODUCTION_CLIENT_ID } });
const poll = (device_code: string, client_id = PRODUCTION_CLIENT_ID) =>
  req('/device/token', { form: { client_id, grant_type: DEVICE_GRANT, device_code } });
const refresh = (refresh_token: string, usage_points_id: string) =>
  req('/device/token', { form: { client_id: PRODUCTION_CLIENT_ID, grant_type: 'refresh_token', usage_points_id, refresh_token } });

/** Pairs through the real routes and returns the token answer. */
async function pair(usagePoints?: string[]): Promise<{ access_token: string; refresh_token: string; usage_points_id: string }> {
  const code = (await deviceCode()).json;
  sim!.approve(code.user_code, usagePoints);
  const t = await poll(code.device_code);
  expect(t.status).toBe(200);
  return t.json;
}

function data(kind: keyof typeof METERING_ROUTES, q: Record<string, string>, token?: string): Promise<Res> {
  const qs = new URLSearchParams(q).toString();
  return req(`/data/proxy/${METERING_ROUTES[kind]}?${qs}`, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
}

const QUIET = { limitPerMinute: 0, enedisQuota: false } as const;

describe('device code', () => {
  it('answers like the fixture: 64-hex device code, XXXX-XXXX user code, no verification_uri_complete', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start();
    const r = await deviceCode();
    const f = fixture('proxy-device-code');
    expect(r.status).toBe(200);
    expect(shape(r.json)).toEqual(shape(f.body));
    expect(r.json.device_code).toMatch(/^[0-9a-f]{64}$/);
    expect(r.json.user_code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ]{4}-[ABCDEFGHJKLMNPQRSTUVWXYZ]{4}$/);
    expect(r.json.verification_uri).toBe(`${sim!.url}/device`);
    expect(r.json.expires_in).toBe(300);
    expect(r.json.interval).toBe(5);
    expect(r.json).not.toHaveProperty('verification_uri_complete');
    expect(r.text).toContain('"verification_uri":"http:\\/\\/127.0.0.1:'); // PHP's json_encode escapes '/'
    const page = await req(`/device?code=${r.json.user_code}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('accepts any non-empty client_id and refuses a missing one', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start();
    expect((await req('/device/code', { form: { client_id: 'anything' } })).status).toBe(200);
    const r = await req('/device/code', { form: {} });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(fixture('proxy-device-code-missing-client-id').body);
  });
});

describe('device token polling', () => {
  it('pending → approved once → invalid_grant, with the fixtures bodies', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ meters: [{ usagePoint: PDL }, { usagePoint: PDL2 }] });
    const code = (await deviceCode()).json;
    const p = await poll(code.device_code);
    expect(p.status).toBe(400);
    expect(p.json).toEqual(fixture('proxy-token-pending').body);
    advance(5);
    expect(sim!.pendingUserCodes()).toEqual([code.user_code]);
    sim!.approve(code.user_code.toLowerCase().replace('-', '')); // case and hyphen do not matter
    expect(sim!.pendingUserCodes()).toEqual([]);
    const ok = await poll(code.device_code);
    expect(ok.status).toBe(200);
    expect(shape(ok.json)).toEqual(shape(fixture('proxy-token-success').body));
    expect(ok.json.usage_points_id).toBe(`${PDL},${PDL2}`);
    expect(ok.json.expires_in).toBe(12600);
    expect(ok.json.scope).toBe('');
    expect(ok.json.access_token).toMatch(/^[0-9a-f]{64}$/);
    expect(sim!.issuedRefreshTokens).toEqual([ok.json.refresh_token]);
    const again = await poll(code.device_code);
    expect(again.status).toBe(400);
    expect(again.json).toEqual(fixture('proxy-token-device-code-unknown').body);
  });

  it('keeps an approved answer 120 s after approval, even past the 300 s of the code', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start();
    const a = (await deviceCode()).json;
    const b = (await deviceCode()).json;
    advance(250);
    sim!.approve(a.user_code);
    sim!.approve(b.user_code);
    advance(110); // 360 s after creation, 110 s after approval
    expect((await poll(a.device_code)).status).toBe(200);
    advance(11); // 121 s after approval: the proxy dropped it
    const late = await poll(b.device_code);
    expect(late.status).toBe(400);
    expect(late.json).toEqual({ error: 'invalid_grant', error_description: 'device_code not found in db' });
  });

  it('expires an unapproved code after 300 s as invalid_grant (never expired_token/access_denied)', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ limitPerMinute: 0 });
    const code = (await deviceCode()).json;
    const seen = new Set<string>();
    for (let t = 0; t < 300; t += 30) {
      const r = await poll(code.device_code);
      seen.add(r.json.error);
      advance(30);
    }
    expect([...seen]).toEqual(['authorization_pending']);
    const r = await poll(code.device_code);
    expect(r.json).toEqual(fixture('proxy-token-device-code-unknown').body);
    expect(() => sim!.approve(code.user_code)).toThrow(/unknown or expired/);
  });

  it('answers slow_down above the per-minute limit for one device code, per clock minute', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ limitPerMinute: 12 });
    const code = (await deviceCode()).json;
    const other = (await deviceCode()).json;
    for (let i = 0; i < 12; i++) expect((await poll(code.device_code)).json.error).toBe('authorization_pending');
    const slow = await poll(code.device_code);
    expect(slow.status).toBe(400);
    expect(slow.json).toEqual(fixture('proxy-token-slow-down').body);
    expect((await poll(other.device_code)).json.error).toBe('authorization_pending'); // per device code
    advance(60);
    expect((await poll(code.device_code)).json.error).toBe('authorization_pending');
  });

  it('rejects bad client ids, missing fields and other grant types', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start();
    const code = (await deviceCode()).json;
    const bad = await poll(code.device_code, '00000000-0000-0000-0000-000000000000');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual(fixture('proxy-token-bad-client-id').body);
    const miss = await req('/device/token', { form: { client_id: PRODUCTION_CLIENT_ID } });
    expect(miss.json).toEqual({ error: 'invalid_request', error_description: 'Missing client_id or grant_type' });
    const noDc = await req('/device/token', { form: { client_id: PRODUCTION_CLIENT_ID, grant_type: DEVICE_GRANT } });
    expect(noDc.json).toEqual({ error: 'invalid_request', error_description: 'Missing device_code' });
    const other = await req('/device/token', { form: { client_id: PRODUCTION_CLIENT_ID, grant_type: 'client_credentials' } });
    expect(other.status).toBe(400);
    expect(other.json.error).toBe('unsupported_grant_type');
  });

  it('approves by itself in demo mode after N pending polls', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ autoApprove: { usagePoints: [PDL2], afterPolls: 2 } });
    const code = (await deviceCode()).json;
    expect((await poll(code.device_code)).json.error).toBe('authorization_pending');
    expect((await poll(code.device_code)).json.error).toBe('authorization_pending');
    const ok = await poll(code.device_code);
    expect(ok.status).toBe(200);
    expect(ok.json.usage_points_id).toBe(PDL2);
  });
});

describe('refresh', () => {
  it('keeps the refresh token, mints a new access token, omits usage_points_id', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ meters: [{ usagePoint: PDL }, { usagePoint: PDL2 }] });
    const tok = await pair();
    const r = await refresh(tok.refresh_token, tok.usage_points_id);
    expect(r.status).toBe(200);
    expect(shape(r.json)).toEqual(shape(fixture('proxy-refresh-success').body));
    expect(r.json.refresh_token).toBe(tok.refresh_token);
    expect(r.json.access_token).not.toBe(tok.access_token);
    expect(r.json).not.toHaveProperty('usage_points_id');
    expect(sim!.spentRefreshTokens).toEqual([tok.refresh_token]);
    expect(sim!.currentRefreshToken()).toBe(tok.refresh_token);
    // the previous access token stays valid until its own expiry
    const q = { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL };
    expect((await data('daily_consumption', q, tok.access_token)).status).toBe(200);
    expect((await data('daily_consumption', q, r.json.access_token)).status).toBe(200);
  });

  it('requires usage_points_id byte for byte and knows its errors', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ meters: [{ usagePoint: PDL }, { usagePoint: PDL2 }], limitPerMinute: 0 });
    const tok = await pair();
    const swapped = await refresh(tok.refresh_token, `${PDL2},${PDL}`);
    expect(swapped.json).toEqual({ error: 'invalid_request', error_description: 'refresh_token not corresponding to usage_points_id' });
    const unknown = await refresh('7b2bc28ebaa80f19c1221b6d02e659c93ef78be995cbbc3ed91b44f20ee42d3f', tok.usage_points_id);
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual(fixture('proxy-refresh-unknown-token').body);
    const noUp = await req('/device/token', {
      form: { client_id: PRODUCTION_CLIENT_ID, grant_type: 'refresh_token', refresh_token: tok.refresh_token },
    });
    expect(noUp.json).toEqual({ error: 'invalid_request', error_description: 'Missing usage_points_id' });
    const noRt = await req('/device/token', {
      form: { client_id: PRODUCTION_CLIENT_ID, grant_type: 'refresh_token', usage_points_id: tok.usage_points_id },
    });
    expect(noRt.json).toEqual({ error: 'invalid_request', error_description: 'Missing refresh_token' });
    const badClient = await req('/device/token', {
      form: { client_id: 'other', grant_type: 'refresh_token', usage_points_id: tok.usage_points_id, refresh_token: tok.refresh_token },
    });
    expect(badClient.json).toEqual({ error: 'invalid_request', error_description: 'Bad client_id' });
    expect(sim!.spentRefreshTokens).toEqual([]);
  });

  it('rotates when asked, invalidates the old token and records its reuse', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ rotateRefreshToken: true });
    const tok = await pair();
    const r = await refresh(tok.refresh_token, tok.usage_points_id);
    expect(r.status).toBe(200);
    expect(r.json.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(r.json.refresh_token).not.toBe(tok.refresh_token);
    expect(sim!.issuedRefreshTokens).toEqual([tok.refresh_token, r.json.refresh_token]);
    expect(sim!.currentRefreshToken()).toBe(r.json.refresh_token);
    expect(sim!.reusedRefreshTokens).toEqual([]);
    const reuse = await refresh(tok.refresh_token, tok.usage_points_id);
    expect(reuse.json).toEqual({ error: 'invalid_request', error_description: 'refresh_token not found in database' });
    expect(sim!.reusedRefreshTokens).toEqual([tok.refresh_token]);
    const next = await refresh(r.json.refresh_token, tok.usage_points_id);
    expect(next.status).toBe(200);
    expect(sim!.spentRefreshTokens).toEqual([tok.refresh_token, r.json.refresh_token]);
  });

  it('counts refreshes and data calls in one per-IP bucket per minute', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ limitPerMinute: 3, enedisQuota: false });
    const tok = await pair();
    const q = { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL };
    expect((await refresh(tok.refresh_token, tok.usage_points_id)).status).toBe(200);
    expect((await data('daily_consumption', q, tok.access_token)).status).toBe(200);
    expect((await data('daily_consumption', q, tok.access_token)).status).toBe(200);
    const slowData = await data('daily_consumption', q, tok.access_token);
    expect(slowData.status).toBe(400);
    expect(slowData.json).toEqual({ error: 'slow_down' });
    expect((await refresh(tok.refresh_token, tok.usage_points_id)).json).toEqual({ error: 'slow_down' });
    advance(60);
    expect((await data('daily_consumption', q, tok.access_token)).status).toBe(200);
  });
});

describe('User-Agent version check', () => {
  it('answers version_mismatch on every route when the version is too old', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ versionMin: '2.0.0', ...QUIET });
    const old = { 'User-Agent': 'DomoticzLinkyPlugin/1.9.9' };
    const f = fixture('proxy-version-mismatch');
    for (const r of [
      await req('/device/code', { form: { client_id: 'x' }, headers: old }),
      await req('/device/token', { form: { client_id: PRODUCTION_CLIENT_ID, grant_type: DEVICE_GRANT, device_code: 'x' }, headers: old }),
      await req(`/data/proxy/${METERING_ROUTES.daily_consumption}?usage_point_id=${PDL}`, { headers: { 'User-Agent': 'curl' } }),
    ]) {
      expect(r.status).toBe(400);
      expect(r.json).toEqual(f.body);
    }
    const raw = await req('/device/code', { form: { client_id: 'x' }, headers: old });
    expect(raw.text).toContain('\\u00e0 jour'); // non-ASCII escaped as PHP does
    expect(
      (await req('/device/code', { form: { client_id: 'x' }, headers: { 'User-Agent': 'jeelinky/2.1.0 (+https://example.invalid)' } }))
        .status,
    ).toBe(200);
    expect(versionCompare('100.0.0', '2.6.0')).toBe(1);
    expect(versionCompare('2.6.0', '2.6.0')).toBe(0);
    expect(versionCompare('2.5.10', '2.6')).toBe(-1);
  });
});

describe('/data/proxy guards', () => {
  it('checks usage_point_id, Authorization, token, PDL list in this order with the proxy bodies', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ meters: [{ usagePoint: PDL }, { usagePoint: '00000000000099' }], ...QUIET });
    const tok = await pair([PDL]);
    const q = { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL };
    const noPdl = await data('daily_consumption', { start: q.start, end: q.end }); // no auth either: PDL first
    expect(noPdl.status).toBe(400);
    expect(noPdl.json).toEqual({ error: 'invalid_request', error_description: 'Missing usage_point_id' });
    const noAuth = await data('daily_consumption', q);
    expect(noAuth.status).toBe(404);
    expect(noAuth.json).toEqual({ error: 'Unauthorized', error_description: 'Autorization missing' });
    const unknown = await data('daily_consumption', q, 'f'.repeat(64));
    const fNotFound = fixture('proxy-data-token-not-found');
    expect(unknown.status).toBe(fNotFound.status);
    expect(unknown.json).toEqual(fNotFound.body);
    expect(unknown.headers.get('via')).toBeNull(); // the proxy's own answers carry no Via
    const other = await data('daily_consumption', { ...q, usage_point_id: '00000000000099' }, tok.access_token);
    const fBad = fixture('proxy-data-bad-access-token');
    expect(other.status).toBe(fBad.status);
    expect(other.json).toEqual(fBad.body);
    const ok = await data('daily_consumption', q, tok.access_token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('via')).toBe(VIA_HEADER);
  });

  it('forgets access tokens after their lifetime and on expireAccessTokens()', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(QUIET);
    const q = { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL };
    const tok = await pair();
    advance(12_599);
    expect((await data('daily_consumption', q, tok.access_token)).status).toBe(200);
    advance(1);
    const gone = await data('daily_consumption', q, tok.access_token);
    expect(gone.status).toBe(403);
    expect(gone.json).toEqual({ error: 'Unauthorized', error_description: 'Access token not found' });
    const r = await refresh(tok.refresh_token, tok.usage_points_id);
    expect((await data('daily_consumption', q, r.json.access_token)).status).toBe(200);
    sim!.expireAccessTokens();
    expect((await data('daily_consumption', q, r.json.access_token)).json.error_description).toBe('Access token not found');
  });

  it('relays Enedis errors with HTTP 200 in the pre-2024 mode', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ errorsWithHttp200: true, ...QUIET });
    const tok = await pair();
    const r = await data('daily_consumption', { start: '2024-11-05', end: '2024-11-04', usage_point_id: PDL }, tok.access_token);
    expect(r.status).toBe(200);
    expect(r.json).toEqual(fixture('error-400-start-not-before-end').body);
    const guard = await data('daily_consumption', { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL }, 'f'.repeat(64));
    expect(guard.status).toBe(403); // the proxy's own errors keep their status
  });
});

describe('metering answers', () => {
  async function paired(opts: EnedisSimulatorOptions = {}) {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ ...QUIET, ...opts });
    return (await pair()).access_token;
  }

  it('daily consumption: fixture shape, [start;end[, string integer values, equal to the day curve energy', async () => {
    const token = await paired();
    const f = fixture('daily-consumption');
    const r = await data('daily_consumption', { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL }, token);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    expect(shape(r.json)).toEqual(shape(f.body));
    expect(r.json.meter_reading.reading_type).toEqual(f.body.meter_reading.reading_type);
    const items = r.json.meter_reading.interval_reading as Array<{ value: string; date: string }>;
    expect(items.map((i) => i.date)).toEqual(f.body.meter_reading.interval_reading.map((i: { date: string }) => i.date));
    expect(r.json.meter_reading.start).toBe('2024-01-08');
    expect(r.json.meter_reading.end).toBe('2024-01-15');
    for (const it of items) {
      expect(it.value).toMatch(/^\d+$/);
      const curve = simulatedCurve(PDL, it.date, 30);
      expect(Number(it.value)).toBe(curve.reduce((a, p) => a + (p.value * 30) / 60, 0));
      expect(Number(it.value)).toBe(simulatedDaily(PDL, it.date));
    }
    const again = await data('daily_consumption', { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL }, token);
    expect(again.text).toBe(r.text); // deterministic
  });

  it('load curve: 48 end-of-interval labels D 00:30 … D+1 00:00 with PT30M', async () => {
    const token = await paired();
    const f = fixture('consumption-load-curve');
    const r = await data('consumption_load_curve', { start: '2024-01-10', end: '2024-01-11', usage_point_id: PDL }, token);
    expect(r.status).toBe(200);
    expect(shape(r.json)).toEqual(shape(f.body));
    expect(r.json.meter_reading.reading_type).toEqual(f.body.meter_reading.reading_type);
    const labels = r.json.meter_reading.interval_reading.map((p: { date: string }) => p.date);
    expect(labels).toEqual(f.body.meter_reading.interval_reading.map((p: { date: string }) => p.date));
    expect(
      r.json.meter_reading.interval_reading.every(
        (p: { interval_length: string; value: string }) =>
          p.interval_length === 'PT30M' && /^\d+$/.test(p.value) && Number(p.value) % 2 === 0,
      ),
    ).toBe(true);
  });

  it('DST spring day: 46 points with the fixture labels; autumn day: 50 with 02:00/02:30 repeated in order', async () => {
    const token = await paired();
    for (const [name, day, next, n] of [
      ['consumption-load-curve-dst-spring', '2024-03-31', '2024-04-01', 46],
      ['consumption-load-curve-dst-autumn', '2024-10-27', '2024-10-28', 50],
    ] as const) {
      const f = fixture(name);
      const r = await data('consumption_load_curve', { start: day, end: next, usage_point_id: PDL }, token);
      expect(r.status).toBe(200);
      expect(shape(r.json)).toEqual(shape(f.body));
      const items = r.json.meter_reading.interval_reading as Array<{ date: string; value: string }>;
      expect(items).toHaveLength(n);
      expect(items.map((p) => p.date)).toEqual(f.body.meter_reading.interval_reading.map((p: { date: string }) => p.date));
      expect(items.reduce((a, p) => a + Number(p.value) / 2, 0)).toBe(simulatedDaily(PDL, day));
    }
    const autumn = simulatedCurve(PDL, '2024-10-27', 30);
    const instants = fixture('consumption-load-curve-dst-autumn').instants!;
    expect(autumn.map((p) => p.instantIso.replace('T', ' ').replace(/([+-]\d\d:\d\d)$/, '$1'))).toEqual(instants);
  });

  it('hourly (PT60M) meter: 24, 23 and 25 points; 10- and 15-minute meters sum to the same daily energy', async () => {
    const token = await paired({ meters: [{ usagePoint: PDL, intervalMinutes: 60 }] });
    for (const [day, next, n, last] of [
      ['2024-01-10', '2024-01-11', 24, '2024-01-11 00:00:00'],
      ['2024-03-31', '2024-04-01', 23, '2024-04-01 00:00:00'],
      ['2024-10-27', '2024-10-28', 25, '2024-10-28 00:00:00'],
    ] as const) {
      const r = await data('consumption_load_curve', { start: day, end: next, usage_point_id: PDL }, token);
      const items = r.json.meter_reading.interval_reading as Array<{ date: string; value: string; interval_length: string }>;
      expect(items).toHaveLength(n);
      expect(items[0]!.date).toBe(`${day} 01:00:00`);
      expect(items.at(-1)!.date).toBe(last);
      expect(items.every((p) => p.interval_length === 'PT60M')).toBe(true);
      expect(items.reduce((a, p) => a + Number(p.value), 0)).toBe(simulatedDaily(PDL, day));
    }
    const spring = simulatedCurve(PDL, '2024-03-31', 60).map((p) => p.label.slice(11, 16));
    expect(spring.slice(0, 3)).toEqual(['01:00', '03:00', '04:00']);
    const autumn = simulatedCurve(PDL, '2024-10-27', 60).map((p) => p.label.slice(11, 16));
    expect(autumn.slice(0, 4)).toEqual(['01:00', '02:00', '02:00', '03:00']);
    for (const m of [10, 15] as const) {
      const c = simulatedCurve(PDL, '2024-10-27', m);
      expect(c).toHaveLength((25 * 60) / m);
      expect(c.every((p) => Number.isInteger(p.value) && (p.value * m) % 60 === 0)).toBe(true);
      expect(c.reduce((a, p) => a + (p.value * m) / 60, 0)).toBe(simulatedDaily(PDL, '2024-10-27'));
    }
  });

  it('daily max power: fixture shape, instant inside the day, at least the largest curve point', async () => {
    const token = await paired();
    const f = fixture('daily-consumption-max-power');
    const r = await data('daily_consumption_max_power', { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL }, token);
    expect(shape(r.json)).toEqual(shape(f.body));
    expect(r.json.meter_reading.reading_type).toEqual(f.body.meter_reading.reading_type);
    const items = r.json.meter_reading.interval_reading as Array<{ date: string; value: string }>;
    expect(items).toHaveLength(7);
    for (const it of items) {
      expect(it.date).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const day = it.date.slice(0, 10);
      expect(Number(it.value)).toBeGreaterThanOrEqual(Math.max(...simulatedCurve(PDL, day, 30).map((p) => p.value)));
      expect(Number(it.value)).toBeGreaterThanOrEqual(Math.max(...simulatedCurve(PDL, day, 10).map((p) => p.value)));
      expect(it).toEqual({ value: String(simulatedMaxPower(PDL, day).value), date: simulatedMaxPower(PDL, day).label });
    }
  });

  it('production routes on a producing meter; ADAM-ERR0069 elsewhere', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ meters: [{ usagePoint: PDL }, { usagePoint: PDL2, production: true }], ...QUIET });
    const token = (await pair()).access_token;
    const fd = fixture('daily-production');
    const d = await data('daily_production', { start: '2024-06-10', end: '2024-06-14', usage_point_id: PDL2 }, token);
    expect(shape(d.json)).toEqual(shape(fd.body));
    expect(d.json.meter_reading.interval_reading).toHaveLength(4);
    const fc = fixture('production-load-curve');
    const c = await data('production_load_curve', { start: '2024-06-10', end: '2024-06-11', usage_point_id: PDL2 }, token);
    expect(shape(c.json)).toEqual(shape(fc.body));
    const points = c.json.meter_reading.interval_reading as Array<{ date: string; value: string }>;
    expect(points.map((p) => p.date)).toEqual(fc.body.meter_reading.interval_reading.map((p: { date: string }) => p.date));
    expect(points[0]!.value).toBe('0'); // night zeros are explicit points
    expect(Math.max(...points.map((p) => Number(p.value)))).toBeGreaterThan(0);
    expect(points.reduce((a, p) => a + Number(p.value) / 2, 0)).toBe(Number(d.json.meter_reading.interval_reading[0].value));
    const wrong = await data('daily_production', { start: '2024-06-10', end: '2024-06-14', usage_point_id: PDL }, token);
    const fw = fixture('error-400-wrong-direction-adam-err0069');
    expect(wrong.status).toBe(fw.status);
    expect(wrong.json).toEqual(fw.body);
    expect(wrong.headers.get('via')).toBe(VIA_HEADER);
  });

  it('range rules: start < end, end ≤ today, curves ≤ 7 days, history depth, activation, formats', async () => {
    const token = await paired({ meters: [{ usagePoint: PDL, activationDate: '2023-05-10' }] });
    const q = (start: string, end: string, usage_point_id = PDL) => ({ start, end, usage_point_id });
    const expectFixture = async (r: Promise<Res>, name: string) => {
      const f = fixture(name);
      const a = await r;
      expect(a.status).toBe(f.status);
      expect(a.json).toEqual(f.body);
      expect(a.headers.get('via')).toBe(VIA_HEADER);
    };
    await expectFixture(data('daily_consumption', q('2024-01-15', '2024-01-08'), token), 'error-400-start-not-before-end');
    await expectFixture(data('daily_consumption', q('2024-01-08', '2024-01-08'), token), 'error-400-start-not-before-end');
    await expectFixture(data('daily_consumption', q('2024-11-01', '2024-11-06'), token), 'error-400-end-in-future');
    expect((await data('daily_consumption', q('2024-11-01', '2024-11-05'), token)).status).toBe(200); // end = today is fine
    await expectFixture(data('consumption_load_curve', q('2024-01-01', '2024-01-09'), token), 'error-400-load-curve-over-7-days');
    expect((await data('consumption_load_curve', q('2024-01-01', '2024-01-08'), token)).json.meter_reading.interval_reading).toHaveLength(
      7 * 48,
    );
    await expectFixture(data('daily_consumption', q('2023-05-09', '2023-05-20'), token), 'error-400-adam-err0123-before-activation');
    expect((await data('daily_consumption', q('2023-05-10', '2023-05-20'), token)).json.meter_reading.interval_reading).toHaveLength(10);
    // through the proxy a malformed PDL is never in the token's list: the proxy answers first
    expect((await data('daily_consumption', q('2024-01-08', '2024-01-15', '123'), token)).json).toEqual(
      fixture('proxy-data-bad-access-token').body,
    );
    const badDate = await data('daily_consumption', q('2024-02-30', '2024-03-02'), token);
    expect(badDate.status).toBe(400);
    expect(badDate.json.error_description).toBe('start date parameter must be in the format yyyy-mm-dd.');
  });

  it('reaches Enedis parameter checks when the proxy runs without data auth (debug host)', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ ...QUIET, disableDataAuth: true });
    const f = fixture('error-400-usage-point-id-format');
    const r = await data('daily_consumption', { start: '2024-01-08', end: '2024-01-15', usage_point_id: '123' });
    expect(r.status).toBe(f.status);
    expect(r.json).toEqual(f.body);
    expect((await data('daily_consumption', { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL })).status).toBe(200);
    const noEnd = await data('daily_consumption', { start: '2024-01-08', usage_point_id: PDL });
    expect(noEnd.status).toBe(400);
    expect(noEnd.json.error).toBe('Invalid_request');
  });

  it('history deadline: 36 months + 15 days for daily kinds, 24 months + 15 days for curves', async () => {
    const token = await paired({ meters: [{ usagePoint: PDL, activationDate: '2015-01-01' }] });
    expect(sim!.historyDeadline('daily_consumption')).toBe('2021-10-21');
    expect(sim!.historyDeadline('load_curve')).toBe('2022-10-21');
    const f = fixture('error-400-history-deadline');
    const old = await data('daily_consumption', { start: '2021-10-20', end: '2021-10-27', usage_point_id: PDL }, token);
    expect(old.status).toBe(400);
    expect(old.json).toEqual(f.body);
    expect((await data('daily_consumption', { start: '2021-10-21', end: '2021-10-27', usage_point_id: PDL }, token)).status).toBe(200);
    expect((await data('consumption_load_curve', { start: '2022-10-20', end: '2022-10-21', usage_point_id: PDL }, token)).json).toEqual(
      f.body,
    );
    expect((await data('consumption_load_curve', { start: '2022-10-21', end: '2022-10-22', usage_point_id: PDL }, token)).status).toBe(200);
  });

  it('gaps: missing days and curve points are absent items; an empty range is 404 no_data_found', async () => {
    const token = await paired({
      meters: [
        {
          usagePoint: PDL,
          missingDays: ['2024-01-10'],
          missingCurvePoints: ['2024-01-11 13:30:00', '2024-10-27 02:30:00'],
          curveNotCollected: false,
        },
      ],
    });
    const daily = await data('daily_consumption', { start: '2024-01-09', end: '2024-01-12', usage_point_id: PDL }, token);
    expect(daily.json.meter_reading.interval_reading.map((i: { date: string }) => i.date)).toEqual(['2024-01-09', '2024-01-11']);
    const none = await data('consumption_load_curve', { start: '2024-01-10', end: '2024-01-11', usage_point_id: PDL }, token);
    const f = fixture('error-404-no-data-found');
    expect(none.status).toBe(404);
    expect(none.json).toEqual(f.body);
    const curve = await data('consumption_load_curve', { start: '2024-01-11', end: '2024-01-12', usage_point_id: PDL }, token);
    const labels = curve.json.meter_reading.interval_reading.map((p: { date: string }) => p.date);
    expect(labels).toHaveLength(47);
    expect(labels).not.toContain('2024-01-11 13:30:00');
    const autumn = await data('consumption_load_curve', { start: '2024-10-27', end: '2024-10-28', usage_point_id: PDL }, token);
    expect(autumn.json.meter_reading.interval_reading).toHaveLength(48); // both 02:30 labels gone
    expect(sim!.expectedReadings('load_curve', PDL, '2024-10-27', '2024-10-28')).toEqual(autumn.json.meter_reading.interval_reading);
  });

  it('curve not collected → 400 ADAM-ERR0075 on curve routes only', async () => {
    const token = await paired({ meters: [{ usagePoint: PDL, curveNotCollected: true }] });
    const c = await data('consumption_load_curve', { start: '2024-01-10', end: '2024-01-11', usage_point_id: PDL }, token);
    expect(c.status).toBe(400);
    expect(c.json.error).toBe('ADAM-ERR0075');
    expect((await data('daily_consumption', { start: '2024-01-10', end: '2024-01-11', usage_point_id: PDL }, token)).status).toBe(200);
  });

  it('revoked consent → 403 ADAM-DC-0008', async () => {
    const token = await paired();
    sim!.revokeConsent(PDL);
    const r = await data('daily_consumption', { start: '2024-01-08', end: '2024-01-15', usage_point_id: PDL }, token);
    const f = fixture('error-403-no-consent-adam-dc-0008');
    expect(r.status).toBe(f.status);
    expect(r.json).toEqual(f.body);
  });
});

describe('publication clock', () => {
  it('publishes day J at J+1 08:00 local; late days one day later', async () => {
    setNow('2024-11-05T07:59:59+01:00');
    await start({ ...QUIET, latePublicationDays: ['2024-11-04'], accessTokenLifetimeSeconds: 7 * 86400 });
    const token = (await pair()).access_token;
    const q = { start: '2024-11-02', end: '2024-11-05', usage_point_id: PDL };
    const dates = async () => {
      const r = await data('daily_consumption', q, token);
      return r.status === 200 ? r.json.meter_reading.interval_reading.map((i: { date: string }) => i.date) : r.status;
    };
    expect(await dates()).toEqual(['2024-11-02', '2024-11-03']);
    const yesterday = await data('consumption_load_curve', { start: '2024-11-04', end: '2024-11-05', usage_point_id: PDL }, token);
    expect(yesterday.status).toBe(404);
    expect(yesterday.json.error).toBe('no_data_found');
    setNow('2024-11-04T07:59:59+01:00');
    q.end = '2024-11-04'; // end = today
    expect(await dates()).toEqual(['2024-11-02']);
    advance(1);
    expect(await dates()).toEqual(['2024-11-02', '2024-11-03']); // J+1 08:00
    q.end = '2024-11-05';
    setNow('2024-11-05T08:00:00+01:00');
    expect(await dates()).toEqual(['2024-11-02', '2024-11-03']); // 11-04 is late
    expect(sim!.isPublished('2024-11-04')).toBe(false);
    setNow('2024-11-06T08:00:00+01:00');
    expect(await dates()).toEqual(['2024-11-02', '2024-11-03', '2024-11-04']);
    expect(sim!.publicationInstant('2024-11-04').toISOString()).toBe('2024-11-06T07:00:00.000Z');
  });

  it('honours another publication hour', async () => {
    setNow('2024-11-05T09:30:00+01:00');
    await start({ ...QUIET, publicationHour: 10 });
    const token = (await pair()).access_token;
    const r = await data('daily_consumption', { start: '2024-11-04', end: '2024-11-05', usage_point_id: PDL }, token);
    expect(r.status).toBe(404);
    advance(1800);
    expect((await data('daily_consumption', { start: '2024-11-04', end: '2024-11-05', usage_point_id: PDL }, token)).status).toBe(200);
  });
});

describe('Enedis quotas', () => {
  it('answers Q3 above 5 calls per second and Q4 above the hourly quota, without Retry-After', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ limitPerMinute: 0, enedisQuota: { perSecond: 5, perHour: 8 } });
    const token = (await pair()).access_token;
    const q = { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL };
    for (let i = 0; i < 5; i++) expect((await data('daily_consumption', q, token)).status).toBe(200);
    const q3 = await data('daily_consumption', q, token);
    const f3 = fixture('error-429-quota-q3');
    expect(q3.status).toBe(429);
    expect(q3.json).toEqual(f3.body);
    expect(q3.headers.get('retry-after')).toBeNull();
    expect(q3.headers.get('content-type')).toBe(f3.headers['content-type']);
    advance(1);
    for (let i = 0; i < 3; i++) expect((await data('daily_consumption', q, token)).status).toBe(200);
    const q4 = await data('daily_consumption', q, token);
    expect(q4.status).toBe(429);
    expect(q4.json).toEqual(fixture('error-429-quota-q4').body);
    advance(3600);
    expect((await data('daily_consumption', q, token)).status).toBe(200);
  });
});

describe('customers routes', () => {
  it('contracts, addresses, identity and contact data have the fixtures shapes', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ ...QUIET, meters: [{ usagePoint: PDL, activationDate: '2019-03-02', offpeakHours: 'HC (1H30-7H30;13H30-15H30)' }] });
    const token = (await pair()).access_token;
    const get = (p: string) => req(`/data/proxy/${p}?usage_point_id=${PDL}`, { headers: { Authorization: `Bearer ${token}` } });
    const c = await get('customers_upc/v5/usage_points/contracts');
    expect(shape(c.json)).toEqual(shape(fixture('contracts').body));
    const contracts = c.json.customer.usage_points[0].contracts;
    expect(contracts.offpeak_hours).toBe('HC (1H30-7H30;13H30-15H30)');
    expect(contracts.subscribed_power).toBe('9 kVA');
    expect(contracts.last_activation_date).toBe('2019-03-02+01:00');
    expect(shape((await get('customers_upa/v5/usage_points/addresses')).json)).toEqual(shape(fixture('addresses').body));
    expect(shape((await get('customers_i/v5/identity')).json)).toEqual(shape(fixture('identity').body));
    expect(shape((await get('customers_cd/v5/contact_data')).json)).toEqual(shape(fixture('contact-data').body));
  });

  it('defaults offpeak_hours to HC (22H00-6H00)', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(QUIET);
    const token = (await pair()).access_token;
    const c = await req(`/data/proxy/customers_upc/v5/usage_points/contracts?usage_point_id=${PDL}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(c.json.customer.usage_points[0].contracts.offpeak_hours).toBe('HC (22H00-6H00)');
  });
});

describe('faults and recording', () => {
  it('injects fixture errors, malformed JSON, HTML, resets, delays and errors under HTTP 200, N times', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(QUIET);
    const token = (await pair()).access_token;
    const q = { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL };
    sim!.inject({ path: '/data/proxy/', method: 'GET' }, faults.technicalError(), 2);
    for (let i = 0; i < 2; i++) {
      const r = await data('daily_consumption', q, token);
      expect(r.status).toBe(500);
      expect(r.json).toEqual(fixture('error-500-technical-error').body);
    }
    expect((await data('daily_consumption', q, token)).status).toBe(200);

    sim!.inject({ path: /daily_consumption$/ }, { kind: 'malformed-json' });
    const bad = await data('daily_consumption', q, token);
    expect(bad.status).toBe(200);
    expect(bad.json).toBeUndefined();
    expect(() => JSON.parse(bad.text)).toThrow();

    sim!.inject({ path: 'daily_consumption' }, { kind: 'html', status: 503 });
    const html = await data('daily_consumption', q, token);
    expect(html.status).toBe(503);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.text).toMatch(/^<!DOCTYPE html>/);

    sim!.inject({ path: 'daily_consumption' }, { kind: 'error-with-200', body: fixture('error-500-technical-error').body });
    const e200 = await data('daily_consumption', q, token);
    expect(e200.status).toBe(200);
    expect(e200.json.error).toBe('technical_error');

    sim!.inject({ path: 'daily_consumption' }, { kind: 'reset' });
    await expect(data('daily_consumption', q, token)).rejects.toThrow();

    sim!.inject({ path: 'daily_consumption' }, { kind: 'delay', ms: 20 });
    expect((await data('daily_consumption', q, token)).status).toBe(200);

    sim!.inject({ path: '/device/token' }, faults.quotaQ4());
    expect(sim!.pendingFaults()).toBe(1);
    const t = await refresh('x', 'y');
    expect(t.status).toBe(429);
    expect(sim!.pendingFaults()).toBe(0);
  });

  it('records every call in order and filters the metering ones', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(QUIET);
    const token = (await pair()).access_token;
    await data('daily_consumption', { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL }, token);
    await data('daily_consumption', { start: '2024-11-04', end: '2024-11-05', usage_point_id: PDL }, token);
    expect(sim!.calls.map((c) => `${c.method} ${c.path} ${c.status}`)).toEqual([
      'POST /device/code 200',
      'POST /device/token 200',
      `GET /data/proxy/${METERING_ROUTES.daily_consumption} 200`,
      `GET /data/proxy/${METERING_ROUTES.daily_consumption} 200`,
    ]);
    expect(sim!.calls[1]!.form?.grant_type).toBe(DEVICE_GRANT);
    const m = sim!.meteringCalls();
    expect(m).toHaveLength(2);
    expect(m[1]!.query).toEqual({ start: '2024-11-04', end: '2024-11-05', usage_point_id: PDL });
    expect(m[0]!.at.toISOString()).toBe('2024-11-05T09:00:00.000Z');
  });

  it('answers an unknown route with an HTML 404', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start();
    const r = await req('/device/proxy', { form: { grant_type: 'refresh_token' } });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toContain('text/html');
  });
});

describe('helpers for tests and demo', () => {
  it('expectedValue and expectedReadings predict the answers', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start({ ...QUIET, meters: [{ usagePoint: PDL, intervalMinutes: 60, missingDays: ['2024-11-02'] }] });
    const token = (await pair()).access_token;
    const d = await data('daily_consumption', { start: '2024-11-01', end: '2024-11-05', usage_point_id: PDL }, token);
    expect(d.json.meter_reading.interval_reading).toEqual(sim!.expectedReadings('daily_consumption', PDL, '2024-11-01', '2024-11-05'));
    expect(sim!.expectedValue('daily_consumption', PDL, '2024-11-01')).toBe(simulatedDaily(PDL, '2024-11-01'));
    expect(sim!.expectedValue('daily_consumption', PDL, '2024-11-02')).toBeUndefined();
    const curve = sim!.expectedValue('load_curve', PDL, '2024-11-01');
    expect(curve).toHaveLength(24);
    expect(curve.reduce((a, p) => a + p.energyWh, 0)).toBe(sim!.expectedValue('daily_consumption', PDL, '2024-11-01'));
    const mp = sim!.expectedValue('max_power', PDL, '2024-11-01')!;
    expect(mp.value).toBeGreaterThanOrEqual(Math.max(...curve.map((p) => p.value)));
    expect(mp.instantIso.slice(0, 10)).toBe('2024-11-01');
    const m = await data('daily_consumption_max_power', { start: '2024-11-01', end: '2024-11-02', usage_point_id: PDL }, token);
    expect(m.json.meter_reading.interval_reading).toEqual([{ value: String(mp.value), date: mp.label }]);
  });

  it('approves through the browser route and serves the demo set-up, with latency', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(demoSimulatorOptions({ latencyMs: 5, autoApprove: undefined }));
    const code = (await deviceCode()).json;
    const wrong = await req('/auth/verify_code?code=ABCD-EFGH');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('Code non valide');
    const ok = await req(`/auth/verify_code?code=${code.user_code.toLowerCase()}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('consentement');
    const t = await poll(code.device_code);
    expect(t.json.usage_points_id).toBe(`${PDL},${PDL2}`);
    const p = await data('daily_production', { start: '2024-06-10', end: '2024-06-11', usage_point_id: PDL2 }, t.json.access_token);
    expect(p.status).toBe(200);
  });

  it('demo options pair by themselves at the second poll', async () => {
    setNow('2024-11-05T10:00:00+01:00');
    await start(demoSimulatorOptions());
    const code = (await deviceCode()).json;
    expect((await poll(code.device_code)).json.error).toBe('authorization_pending');
    expect((await poll(code.device_code)).status).toBe(200);
  });
});
