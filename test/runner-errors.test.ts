/**
 * Every failure class of the error tables of docs/enedis-api.md §6, over real HTTP: one clear message,
 * the right exit code, a persisted retry time for temporary failures, nothing lost.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ReadingsStore } from '../plugin/store/readings.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { enedisErrors, proxyErrors } from '../simulators/enedis.js';
import { harness, PDL, type Harness } from './support/core.js';

let h: Harness;
afterEach(async () => h?.close());

const NOW = '2024-11-05T10:00:00+01:00';
const DAILY = { path: 'daily_consumption' };

async function paired(simOptions = {}) {
  h = await harness(NOW, simOptions);
  await h.pairNow();
  return h;
}

async function retryState() {
  return new TokenState(await StateStore.open(h.config.stateDir)).getRetry();
}

describe('temporary failures: exit 75, retry time persisted, cleared by the next good run', () => {
  it('500 technical_error: bounded retries with backoff, then "run again later"', async () => {
    await paired();
    h.sim.inject(DAILY, { status: 500, body: enedisErrors.technicalError() }, 3);
    const r = await h.run({ fetchKinds: ['daily_consumption', 'load_curve'] });
    expect(r.exitCode).toBe(75);
    expect(h.sim.meteringCalls().filter((c) => c.path.includes('daily_consumption'))).toHaveLength(3);
    expect(r.kinds[0]!.error?.message).toMatch(/run again later/);
    // The service is down: the other kinds are not asked (no calls burnt).
    expect(r.kinds[1]!.status).toBe('not_attempted');
    const retry = await retryState();
    expect(retry?.code).toBe('enedis_unavailable');
    expect(Date.parse(retry!.retryAt)).toBeGreaterThan(h.clock.t);
    const ok = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(ok.exitCode).toBe(0);
    expect(await retryState()).toBeUndefined();
  });

  it('a 500 that clears on the second try is not a failure', async () => {
    await paired();
    h.sim.inject(DAILY, { status: 500, body: { error: 'technical_error', error_description: 'Technical error. Please try later.' } }, 1);
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.added).toBe(7);
  });

  it('Enedis quota Q4 (429, no Retry-After): stop for an hour', async () => {
    await paired();
    h.sim.inject(
      DAILY,
      { status: 429, body: { error: '429', error_description: 'Quota Q4 reached  Call threshold allowed on 0:-30:-40' } },
      1,
    );
    const r = await h.run({});
    expect(r.exitCode).toBe(75);
    expect(r.kinds[0]!.error?.code).toBe('enedis_quota_hour');
    expect(Date.parse(r.retryAt!) - h.clock.t).toBe(3600_000);
    expect(r.kinds.slice(1).every((k) => k.status === 'not_attempted')).toBe(true);
  });

  it('Enedis quota Q3 (per second): short pauses, then it goes through', async () => {
    await paired();
    h.sim.inject(
      DAILY,
      { status: 429, body: { error: '429', error_description: 'Quota Q3 reached  Call threshold allowed on -1:-3:-13' } },
      2,
    );
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.added).toBe(7);
  });

  it('malformed JSON and an HTML error page: one clear line each', async () => {
    await paired();
    h.sim.inject(DAILY, { kind: 'malformed-json' }, 1);
    const bad = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(bad.exitCode).toBe(75);
    expect(bad.kinds[0]!.error?.message).toMatch(/malformed JSON/);
    // A 502 HTML page from a reverse proxy: retried like any 5xx (3 calls), then temporary.
    h.sim.inject(DAILY, { kind: 'html', status: 502 }, 3);
    const html = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(html.exitCode).toBe(75);
    expect(html.kinds[0]!.error?.message).toMatch(/HTTP 502/);
    expect(h.sim.pendingFaults()).toBe(0);
    for (const r of [bad, html]) expect(r.kinds[0]!.error?.message).not.toContain('\n');
  });

  it('a network error (connection reset): retried, then temporary', async () => {
    await paired();
    h.sim.inject(DAILY, { kind: 'reset' }, 10);
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(75);
    expect(r.kinds[0]!.error?.code).toBe('network_error');
  });

  it('a proxy that does not answer at all (port closed): temporary, tokens intact', async () => {
    await paired();
    const tokensBefore = await new TokenState(await StateStore.open(h.config.stateDir)).getTokens();
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const r = await (await import('../plugin/runner/index.js')).runScenario(
      { fetchKinds: ['daily_consumption'] },
      { config: { ...h.config, apiUrl: `http://127.0.0.1:${port}` }, now: h.clock.now, sleep: h.clock.sleep },
    );
    expect(r.exitCode).toBe(75);
    expect(r.kinds[0]!.error?.message).toMatch(/network error ECONNREFUSED/);
    expect(await new TokenState(await StateStore.open(h.config.stateDir)).getTokens()).toEqual(tokensBefore);
  });
});

describe('a person must act: exit 78', () => {
  it('consent revoked (403 ADAM-DC-0008): pair again', async () => {
    await paired();
    h.sim.revokeConsent(PDL);
    const r = await h.run({});
    expect(r.exitCode).toBe(78);
    expect(r.kinds[0]!.error?.code).toBe('consent_missing');
    expect(r.kinds[0]!.error?.message).toMatch(/jeelinky pair/);
    expect(r.kinds.slice(1).every((k) => k.status === 'not_attempted')).toBe(true);
  });

  it('the same error relayed with HTTP 200 (proxy before 2024) is still seen', async () => {
    await paired({ errorsWithHttp200: true });
    h.sim.revokeConsent(PDL);
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(h.sim.meteringCalls()[0]!.status).toBe(200);
    expect(r.exitCode).toBe(78);
    expect(r.kinds[0]!.error?.code).toBe('consent_missing');
  });

  it('load curve not collected (ADAM-ERR0075): says how to enable it; the other kinds still come', async () => {
    await paired({ meters: [{ usagePoint: PDL, curveNotCollected: true }] });
    const r = await h.run({});
    expect(r.exitCode).toBe(78);
    const curve = r.kinds.find((k) => k.kind === 'load_curve')!;
    expect(curve.error?.message).toMatch(/courbe de charge/);
    expect(r.kinds.find((k) => k.kind === 'daily_consumption')!.added).toBe(7);
  });

  it('version_mismatch from the proxy: set JEELINKY_USER_AGENT', async () => {
    h = await harness(NOW, { versionMin: '9.0.0' });
    const r = await h.run({ code: true });
    expect(r.exitCode).toBe(78);
    expect(r.error?.code).toBe('version_mismatch');
    expect(r.error?.message).toMatch(/JEELINKY_USER_AGENT/);
  });

  it('not paired yet', async () => {
    h = await harness(NOW);
    const r = await h.run({});
    expect(r.exitCode).toBe(78);
    expect(r.error?.code).toBe('not_paired');
  });
});

describe('the access token', () => {
  it('"Access token not found": refresh once, try once more, succeed', async () => {
    await paired();
    h.sim.expireAccessTokens();
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(h.sim.calls.filter((c) => c.form?.grant_type === 'refresh_token')).toHaveLength(1);
    expect(r.kinds[0]!.added).toBe(7);
  });

  it('the proxy slow_down on data: temporary, with a retry in a minute', async () => {
    await paired();
    h.sim.inject(DAILY, { status: 400, body: proxyErrors.slowDown() }, 1);
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(75);
    expect(r.kinds[0]!.error?.code).toBe('proxy_slow_down');
  });

  it('no data in range (404 no_data_found) is a gap, not a failure', async () => {
    await paired({ meters: [{ usagePoint: PDL, missingDays: ['2024-11-01', '2024-11-02'] }] });
    const r = await h.run({ fetchKinds: ['daily_consumption'] });
    expect(r.exitCode).toBe(0);
    expect(r.kinds[0]!.missingDays).toEqual(['2024-11-01', '2024-11-02']);
    const days = (
      await new ReadingsStore(await StateStore.open(h.config.stateDir)).readings(PDL, 'daily_consumption', '2024-10-01', '2024-11-05')
    ).map((d) => d.day);
    expect(days).not.toContain('2024-11-01');
  });
});
