/**
 * Pairing and token lifecycle against the proxy simulator over real HTTP, on a fake clock shared by
 * both sides so that the 5-minute / 2-minute windows of the device flow are exact.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LinkySession } from '../plugin/enedis/session.js';
import { StateStore } from '../plugin/store/state.js';
import { TokenState } from '../plugin/store/tokens.js';
import { runScenario } from '../plugin/runner/index.js';
import { harness, issuedSecrets, PDL, type Harness } from './support/core.js';

let h: Harness;
afterEach(async () => h?.close());

const NOW = '2024-11-05T10:00:00+01:00';

async function savedTokens(h: Harness) {
  return new TokenState(await StateStore.open(h.config.stateDir)).getTokens();
}

describe('pairing (device code flow)', () => {
  it('--code prints a URL built with the user code, persists the device code and its expiry', async () => {
    h = await harness(NOW);
    const r = await h.run({ code: true });
    expect(r.exitCode).toBe(0);
    expect(r.pairing?.verificationUriComplete).toBe(`${h.sim.url}/device?code=${r.pairing?.userCode}`);
    expect(r.pairing?.userCode).toMatch(/^[A-Z]{4}-[A-Z]{4}$/);
    expect(Date.parse(r.pairing!.expiresAt) - Date.parse(NOW)).toBe(300_000);
    const pairing = await new TokenState(await StateStore.open(h.config.stateDir)).getPairing();
    expect(pairing?.userCode).toBe(r.pairing?.userCode);
    expect(pairing?.deviceCode).toMatch(/^[0-9a-f]{64}$/);
  });

  it('waits through authorization_pending at the proxy interval, then saves the tokens', async () => {
    h = await harness(NOW);
    const code = await h.run({ code: true });
    let waits = 0;
    const report = await runScenario(
      { firstConnexion: true },
      {
        config: h.config,
        now: h.clock.now,
        sleep: h.clock.sleep,
        events: {
          waiting: () => {
            if (++waits === 3) h.sim.approve(code.pairing!.userCode, [PDL]);
          },
        },
      },
    );
    expect(report.exitCode).toBe(0);
    expect(waits).toBe(3);
    const polls = h.sim.calls.filter((c) => c.path === '/device/token');
    expect(polls).toHaveLength(4);
    for (let i = 1; i < polls.length; i++) {
      expect(polls[i]!.at.getTime() - polls[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(5000);
    }
    const tokens = await savedTokens(h);
    expect(tokens?.refreshToken).toBe(h.sim.currentRefreshToken());
    expect(tokens?.usagePoints).toEqual([PDL]);
    expect(tokens?.usagePointsId).toBe(PDL);
    expect(Date.parse(tokens!.accessTokenExpiresAt!) - h.clock.t).toBe(12600 * 1000);
  });

  it('slows down when the proxy says slow_down, and still pairs', async () => {
    h = await harness(NOW);
    const code = await h.run({ code: true });
    // The proxy's exact slow_down body (its per-minute poll limit), twice in a row.
    h.sim.inject({ path: '/device/token' }, { status: 400, body: { error: 'slow_down' } }, 2);
    let waits = 0;
    const states: string[] = [];
    const report = await runScenario(
      { firstConnexion: true },
      {
        config: h.config,
        now: h.clock.now,
        sleep: h.clock.sleep,
        events: {
          waiting: (_left, state) => {
            states.push(state);
            if (++waits === 6) h.sim.approve(code.pairing!.userCode, [PDL]);
          },
        },
      },
    );
    expect(states).toContain('slow_down');
    expect(report.exitCode).toBe(0);
    // Each slow_down adds 5 s to the interval (RFC 8628 §3.5): 5 → 10 → 15.
    const polls = h.sim.calls.filter((c) => c.path === '/device/token');
    const gaps = polls.slice(1).map((p, i) => p.at.getTime() - polls[i]!.at.getTime());
    expect(gaps.slice(0, 2)).toEqual([10_000, 15_000]);
    expect(gaps.every((g) => g >= 5000)).toBe(true);
  });

  it('an unapproved code expires after 5 minutes: exit 78 and a message that says to start again', async () => {
    h = await harness(NOW);
    await h.run({ code: true });
    const r = await h.run({ firstConnexion: true });
    expect(r.exitCode).toBe(78);
    expect(r.error?.message).toMatch(/start (pairing )?again/i);
    expect(h.clock.t - Date.parse(NOW)).toBeGreaterThanOrEqual(295_000);
    expect(h.clock.t - Date.parse(NOW)).toBeLessThanOrEqual(310_000);
    expect(await savedTokens(h)).toBeUndefined();
  });

  it('tokens approved but collected after the 2-minute window: invalid_grant, start again with --code', async () => {
    h = await harness(NOW);
    const code = await h.run({ code: true });
    h.sim.approve(code.pairing!.userCode, [PDL]);
    await h.clock.sleep(121_000);
    const r = await h.run({ firstConnexion: true });
    expect(r.exitCode).toBe(78);
    expect(r.error?.code).toBe('device_code_invalid');
    expect(r.error?.message).toContain('--code');
  });

  it('a code collected twice: the second collection is refused plainly', async () => {
    h = await harness(NOW);
    const first = await h.pairNow();
    expect(first.exitCode).toBe(0);
    // The pairing is consumed: a second --first-connexion has no device code to use.
    const again = await h.run({ firstConnexion: true });
    expect(again.exitCode).toBe(78);
    expect(again.error?.message).toMatch(/--code/);
  });

  it('--first-connexion without --code first says what to do', async () => {
    h = await harness(NOW);
    const r = await h.run({ firstConnexion: true });
    expect(r.exitCode).toBe(78);
    expect(r.error?.code).toBe('no_device_code');
  });
});

describe('refresh', () => {
  it('renews the access token with the usage-point string as first received; no rotation', async () => {
    h = await harness(NOW, { meters: [{ usagePoint: PDL }, { usagePoint: '00000000000002' }] });
    await h.pairNow([PDL, '00000000000002']);
    const before = await savedTokens(h);
    expect(before?.usagePointsId).toBe(`${PDL},00000000000002`);
    const r = await h.run({ refreshToken: true });
    expect(r.exitCode).toBe(0);
    const after = await savedTokens(h);
    expect(after?.accessToken).not.toBe(before?.accessToken);
    expect(after?.refreshToken).toBe(before?.refreshToken);
    expect(after?.usagePoints).toEqual([PDL, '00000000000002']);
    expect(after?.rotations).toBe(0);
    const form = h.sim.calls.filter((c) => c.form?.grant_type === 'refresh_token')[0]?.form;
    expect(form?.usage_points_id).toBe(`${PDL},00000000000002`);
  });

  it('saves a rotated refresh token and uses it next time (never a spent one)', async () => {
    h = await harness(NOW, { rotateRefreshToken: true });
    await h.pairNow();
    const r1 = await h.run({ refreshToken: true });
    expect(r1.tokens?.rotated).toBe(true);
    expect((await savedTokens(h))?.refreshToken).toBe(h.sim.currentRefreshToken());
    const r2 = await h.run({ refreshToken: true });
    expect(r2.exitCode).toBe(0);
    expect((await savedTokens(h))?.refreshToken).toBe(h.sim.currentRefreshToken());
    expect((await savedTokens(h))?.rotations).toBe(2);
    expect(h.sim.reusedRefreshTokens).toEqual([]);
  });

  it('the daily job refreshes only when the access token expires within 5 minutes', async () => {
    h = await harness(NOW);
    await h.pairNow();
    await h.run({});
    expect(h.sim.calls.filter((c) => c.form?.grant_type === 'refresh_token')).toHaveLength(0);
    await h.clock.sleep(12600_000 - 4 * 60_000);
    const r = await h.run({});
    expect(r.steps).toContain('refresh');
    expect(h.sim.calls.filter((c) => c.form?.grant_type === 'refresh_token')).toHaveLength(1);
  });

  it('a refresh token the proxy no longer knows: exit 78, pair again', async () => {
    h = await harness(NOW);
    await h.pairNow();
    const store = new TokenState(await StateStore.open(h.config.stateDir));
    const t = (await store.getTokens())!;
    await store.saveTokens({ ...t, refreshToken: 'f'.repeat(64) });
    const r = await h.run({ refreshToken: true });
    expect(r.exitCode).toBe(78);
    expect(r.error?.message).toMatch(/jeelinky pair/);
    expect(JSON.stringify(r)).not.toContain('f'.repeat(64));
  });

  it('reports never hold a token in clear', async () => {
    h = await harness(NOW, { rotateRefreshToken: true });
    const reports = [await h.run({ code: true })];
    h.sim.approve(reports[0]!.pairing!.userCode, [PDL]);
    reports.push(await h.run({ firstConnexion: true }), await h.run({ refreshToken: true }), await h.run({}));
    const text = JSON.stringify(reports.map(({ readings: _r, ...rest }) => rest));
    for (const secret of issuedSecrets(h.sim)) expect(text).not.toContain(secret);
    expect(reports[2]!.tokens?.refreshToken).toMatch(/^[0-9a-f]{4}…\(64\)$/);
  });

  it('the session refuses a PDL outside the consent', async () => {
    h = await harness(NOW, {}, { usagePoint: '00000000000009' });
    await h.pairNow();
    const r = await h.run({});
    expect(r.exitCode).toBe(78);
    expect(r.error?.message).toContain('00000000000009');
    expect(h.sim.meteringCalls()).toHaveLength(0);
    void LinkySession;
  });
});
