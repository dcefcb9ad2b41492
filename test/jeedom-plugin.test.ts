/**
 * The jeelinky Jeedom plugin on a REAL Jeedom 4.5.3 core (../shared/jeedom, box slot 3): the zip
 * of `npm run package:jeedom` installed as Jeedom installs "a plugin from a file", paired through
 * the plugin against the Enedis simulator, its cron run as Jeedom's cron engine runs it, then the
 * équipement, commands, history and current values checked in Jeedom.
 *
 * Two things differ from a user's box, on purpose:
 * - the box has no internet, so the dependency step (npm install --omit=dev) is not run: the
 *   repository's node_modules is symlinked into the installed plugin's resources/jeelinky/;
 * - the équipement page's buttons post to core/ajax/jeelinky.ajax.php, which only calls
 *   jeelinky::pairStart() / pairWait() / fetchNow(); the test calls those same functions with
 *   `php -r` inside the box's core (no browser session needed). The pages themselves are opened in
 *   headless Chromium after logging in as admin/admin (screenshots in docs/screenshots/).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JeedomClient } from '../plugin/jeedom/client.js';
import { deviceLogicalId } from '../plugin/jeedom/virtual.js';
import { startEnedisSimulator, type EnedisSimulator } from '../simulators/enedis.js';
import { launchChromium } from './support/browser.js';
import { issuedSecrets, PDL, ROOT } from './support/core.js';
import { KIT, realJeedomMissing, startRealJeedom, type RealJeedom } from './support/real-jeedom.js';

if (realJeedomMissing) console.warn(`jeedom-plugin.test.ts: ${realJeedomMissing}`);

// Written with each run under test-artifacts/; docs/screenshots/ holds a copy of them for the README.
const SCREENSHOTS = path.join(ROOT, 'test-artifacts', 'screenshots');

describe.skipIf(Boolean(realJeedomMissing))('the jeelinky Jeedom plugin on a real Jeedom 4.5.3 core', () => {
  let box: RealJeedom;
  let client: JeedomClient;
  let enedis: EnedisSimulator;
  let coreDir: string;
  let eqLogicId = '';

  /** Runs PHP inside the box's core (as Jeedom's own CLI scripts do); returns what it echoed. */
  const php = (code: string): string =>
    execFileSync('php', ['-r', `require '${coreDir}/core/php/core.inc.php'; ${code}`], {
      env: { ...box.env, PHP_INI_SCAN_DIR: `:${path.join(box.env.JEEDOM_HOME!, 'run', 'php-ini')}` },
      encoding: 'utf8',
      timeout: 300_000,
    });
  /**
   * The same, without blocking: the Enedis simulator answers from this process, so whatever makes
   * the runner call it (pairing, the cron) must leave the event loop free.
   */
  const phpAsync = (code: string): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(
        'php',
        ['-r', `require '${coreDir}/core/php/core.inc.php'; ${code}`],
        {
          env: { ...box.env, PHP_INI_SCAN_DIR: `:${path.join(box.env.JEEDOM_HOME!, 'run', 'php-ini')}` },
          encoding: 'utf8',
          timeout: 300_000,
        },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}: ${stderr}`)) : resolve(stdout)),
      );
    });
  const phpJsonAsync = async <T>(code: string): Promise<T> => JSON.parse(await phpAsync(`echo json_encode(${code});`)) as T;
  /** The kit's run-cron.sh (what box.runCron does), without blocking. */
  const runCron = (): Promise<void> =>
    new Promise((resolve, reject) => {
      execFile(
        path.join(KIT, 'run-cron.sh'),
        ['jeelinky', 'cron'],
        { env: box.env, encoding: 'utf8', timeout: 600_000 },
        (err, _out, stderr) => (err ? reject(new Error(`run-cron.sh jeelinky cron: ${stderr || err.message}`)) : resolve()),
      );
    });
  const phpJson = <T>(code: string): T => JSON.parse(php(`echo json_encode(${code});`)) as T;
  const setConfig = (key: string, value: string) => php(`config::save(${JSON.stringify(key)}, ${JSON.stringify(value)}, 'jeelinky');`);
  const getConfig = (key: string) => php(`echo config::byKey(${JSON.stringify(key)}, 'jeelinky', '');`);

  type Cmd = {
    id: string;
    logicalId: string;
    name: string;
    isVisible: string | number;
    isHistorized: string | number;
    generic_type?: string;
    unite: string;
    eqType: string;
  };
  const cmds = async () => client.call<Cmd[]>('cmd::byEqLogicId', { eqLogic_id: eqLogicId });
  const historyCount = async (cmdId: string) => {
    const rows = await client.call<unknown>('cmd::getHistory', {
      id: cmdId,
      startTime: '2000-01-01 00:00:00',
      endTime: '2100-01-01 00:00:00',
    });
    return Array.isArray(rows) ? rows.length : 0;
  };
  const meteringCalls = () => enedis.meteringCalls().length;
  const log = () => fs.readFileSync(path.join(coreDir, 'log', 'jeelinky'), 'utf8');

  beforeAll(async () => {
    box = startRealJeedom(3, { workers: 4 });
    box.reset();
    coreDir = path.join(box.env.JEEDOM_HOME!, 'core');
    // The zip as a user downloads it (dist/ is built before the tests run).
    execFileSync('node', [path.join(ROOT, 'scripts', 'package-jeedom.mjs')], { cwd: ROOT, stdio: 'pipe' });
    // A previous run's runner state (tokens, readings) lives in the core's data folder: start clean.
    fs.rmSync(path.join(coreDir, 'data', 'jeelinky'), { recursive: true, force: true });
    fs.rmSync(path.join(coreDir, 'log', 'jeelinky'), { force: true });
    box.installPlugin(path.join(ROOT, 'dist', 'jeedom', 'jeelinky.zip'));
    // No internet on the test box: the repository's modules stand in for `npm install --omit=dev`.
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(coreDir, 'plugins', 'jeelinky', 'resources', 'jeelinky', 'node_modules'));
    client = new JeedomClient({ url: box.url, apikey: box.apikey, retryDelayMs: 1, eqType: 'virtual' });
    enedis = await startEnedisSimulator({ limitPerMinute: 0, enedisQuota: false, autoApprove: { usagePoints: [PDL], afterPolls: 0 } });
    // The plugin page's settings: the box's own URL, the simulator in place of Enedis, debug logs.
    setConfig('jeedomUrl', box.url);
    setConfig(
      'extraEnv',
      [`JEELINKY_AUTH_URL=${enedis.url}`, `JEELINKY_API_URL=${enedis.url}`, 'JEELINKY_PACE_MS=0', 'JEELINKY_RETRY_BASE_MS=10'].join('\n'),
    );
    php(`config::save('log::level::jeelinky', array('100' => 1, 'default' => 0));`);
  }, 600_000);

  afterAll(async () => {
    client?.close();
    await enedis?.close();
  });

  it('install from the zip: the plugin is active, its dependency step sees the runner, the daily minute is drawn after 08:00', () => {
    expect(phpJson<boolean>(`plugin::byId('jeelinky')->isActive() == 1`)).toBe(true);
    expect(getConfig('dailyTime')).toMatch(/^(08:(0[5-9]|[1-5]\d)|09:[0-5]\d|10:([0-4]\d|5[0-5]))$/);
    expect(phpJson<{ state: string }>(`jeelinky::dependancy_info()`).state).toBe('ok');
    // What the dependency step ships: the runner with its package.json (no scripts: npm install
    // would run "prepare", i.e. tsc, on the box) and no node_modules inside the zip.
    const listing = execFileSync(
      'python3',
      [
        '-c',
        'import sys,zipfile;print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))',
        path.join(ROOT, 'dist', 'jeedom', 'jeelinky.zip'),
      ],
      { encoding: 'utf8' },
    ).split('\n');
    expect(listing).toContain('jeelinky/plugin_info/info.json');
    expect(listing).toContain('jeelinky/resources/jeelinky/dist/scenario/cli.js');
    expect(listing.some((f) => f.includes('node_modules'))).toBe(false);
    const pkg = JSON.parse(fs.readFileSync(path.join(coreDir, 'plugins', 'jeelinky', 'resources', 'jeelinky', 'package.json'), 'utf8'));
    expect(pkg.scripts).toBeUndefined();
    expect(pkg.dependencies.yargs).toBeTruthy();
  });

  it('the cron does nothing before pairing', async () => {
    setConfig('dailyTime', '00:00');
    await runCron();
    expect(meteringCalls()).toBe(0);
    expect(getConfig('lastDailyDay')).toBe('');
  });

  it('"Associer mon compteur": the address and code, then the consent, the PDL and token expiry; one équipement jeelinky_<PDL>', async () => {
    const start = await phpJsonAsync<{ pairing?: { userCode: string; verificationUriComplete: string } }>(`jeelinky::pairStart()`);
    // What the page shows: the address to open and the code to type.
    expect(start.pairing?.userCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    expect(start.pairing?.verificationUriComplete).toBe(`${enedis.url}/device?code=${start.pairing?.userCode}`);
    const wait = await phpJsonAsync<{ paired: boolean; usagePoint: string; accessTokenExpiresAt: string }>(`jeelinky::pairWait()`);
    expect(wait).toMatchObject({ paired: true, usagePoint: PDL });
    expect(Date.parse(wait.accessTokenExpiresAt)).toBeGreaterThan(Date.now());

    const all =
      await client.call<Array<{ id: string; logicalId: string; eqType_name: string; category: Record<string, string> }>>('eqLogic::all');
    const mine = all.filter((e) => e.eqType_name === 'jeelinky');
    expect(mine.map((e) => e.logicalId)).toEqual([deviceLogicalId(PDL)]);
    expect(all.filter((e) => e.eqType_name === 'virtual')).toEqual([]);
    expect(String(mine[0]!.category.energy)).toBe('1');
    eqLogicId = mine[0]!.id;

    const list = await cmds();
    const by = new Map(list.map((c) => [c.logicalId, c]));
    expect(by.get('daily_consumption')).toMatchObject({
      name: 'Consommation journalière',
      generic_type: 'DAILY_CONSUMPTION',
      unite: 'Wh',
      eqType: 'jeelinky',
    });
    expect(by.get('load_curve_power')).toMatchObject({ generic_type: 'POWER' });
    for (const secret of ['access_token', 'refresh_token', 'device_code']) expect(Number(by.get(secret)!.isVisible)).toBe(0);
    // Only the kinds fetched (the default three) are visible: production stays hidden.
    expect(Number(by.get('daily_production')!.isVisible)).toBe(0);
    expect(Number(by.get('max_power')!.isVisible)).toBe(1);
    // History settings as `jeedom setup` sets them.
    const detail = await client.call<{ configuration: Record<string, string> }>('cmd::byId', { id: by.get('load_curve_power')!.id });
    expect(detail.configuration).toMatchObject({ historizeMode: 'none', historyPurge: 'never', repeatEventManagement: 'always' });
    const usage = await client.call<{ value: unknown }>('cmd::execCmd', { id: by.get('usage_point_id')!.id });
    expect(String(usage.value)).toBe(PDL);
  }, 300_000);

  it("the cron at the drawn minute: yesterday's readings into history and current values, once a day; the retry time runs it again", async () => {
    setConfig('dailyTime', '00:00'); // a drawn minute already passed today: the cron catches up
    setConfig('lastDailyDay', '');
    await runCron();
    const today = php(`echo date('Y-m-d');`);
    expect(getConfig('lastDailyDay')).toBe(today);
    const by = new Map((await cmds()).map((c) => [c.logicalId, c]));
    expect(await historyCount(by.get('daily_consumption')!.id)).toBe(7);
    expect(await historyCount(by.get('max_power')!.id)).toBe(7);
    const curve = await historyCount(by.get('load_curve_power')!.id);
    expect(curve).toBeGreaterThanOrEqual(7 * 46);
    expect(await historyCount(by.get('load_curve_energy')!.id)).toBe(curve);
    const current = await client.call<{ value: unknown }>('cmd::execCmd', { id: by.get('daily_consumption')!.id });
    expect(Number(current.value)).toBeGreaterThan(0);

    // The same day again: nothing runs.
    const calls = meteringCalls();
    await runCron();
    expect(meteringCalls()).toBe(calls);

    // A pending retry time that has come: the cron runs the job again (nothing new to write).
    setConfig('retryAt', new Date(Date.now() - 60_000).toISOString());
    expect(log()).not.toContain('Relevé (retry)');
    await runCron();
    expect(log()).toContain('Relevé (retry)');
    expect(getConfig('retryAt')).toBe('');
    expect(await historyCount(by.get('load_curve_power')!.id)).toBe(curve);

    // A drawn minute still ahead today: not yet.
    const now = php(`echo date('H:i');`);
    if (now < '23:58') {
      setConfig('dailyTime', '23:59');
      setConfig('lastDailyDay', '');
      await runCron();
      expect(getConfig('lastDailyDay')).toBe('');
    }
  }, 300_000);

  it('the state for the équipement page, and the log without a secret in clear', () => {
    const status = phpJson<{
      usagePoint: string;
      kinds: Array<{ kind: string; lastDay: string | null }>;
      gaps: unknown[];
      pendingRetry: unknown;
    }>(`jeelinky::status()`);
    expect(status.usagePoint).toBe(PDL);
    expect(status.kinds.find((k) => k.kind === 'daily_consumption')!.lastDay).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(status.gaps.length).toBe(3);
    expect(status.pendingRetry).toBeNull();
    const text = log();
    expect(text).toContain('Relevé (daily)');
    const key = php(`echo jeedom::getApiKey('jeelinky');`);
    for (const secret of [key, box.apikey, ...issuedSecrets(enedis)]) expect(text).not.toContain(secret);
    // The masking itself: tokens and keys go, command ids and the rest stay.
    const sample = JSON.stringify({ refreshToken: 'abcdef0123456789', commands: { device_code: 12 }, apikey: key, note: 'gardé' });
    const masked = php(`echo jeelinky::mask(${JSON.stringify(sample).replace(/\$/g, '\\$')});`);
    expect(JSON.parse(masked)).toEqual({ refreshToken: '***', commands: { device_code: 12 }, apikey: '***', note: 'gardé' });
  });

  it('screenshots of the plugin pages, from the real core in headless Chromium (admin/admin)', async () => {
    const base = box.url.replace(/\/core\/api\/jeeApi\.php$/, '');
    // What a box that has been up for a while shows: no first-use welcome, no "starting" banner
    // (jeeCron.php writes tmp/started; the kit runs no cron), and a drawn minute.
    php(`config::save('jeedom::firstUse', 0); touch(jeedom::getTmpFolder() . '/started');`);
    setConfig('dailyTime', '08:35');
    const { context, userDataDir } = await launchChromium({ width: 1400, height: 1000 }, 'the plugin page tests');
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${base}/index.php`);
      await page.fill('#in_login_username', 'admin');
      await page.fill('#in_login_password', 'admin');
      // admin/admin is logged in by user.ajax.php; the page then asks to change the password: skip it.
      const login = page.waitForResponse((r) => r.url().includes('/core/ajax/user.ajax.php'), { timeout: 30_000 });
      await page.click('#bt_login_validate');
      expect(JSON.parse(await (await login).text())).toMatchObject({ state: 'ok' });
      fs.mkdirSync(SCREENSHOTS, { recursive: true });

      await page.goto(`${base}/index.php?v=d&p=plugin&id=jeelinky`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('[data-l1key="priceHp"]', { timeout: 30_000, state: 'attached' });
      await page.waitForLoadState('load', { timeout: 90_000 });
      await page.waitForTimeout(1500); // the page's own scripts fill the fields after load
      await page.screenshot({ path: path.join(SCREENSHOTS, 'jeedom-plugin-configuration.png'), fullPage: true });

      await page.goto(`${base}/index.php?v=d&m=jeelinky&p=jeelinky&id=${eqLogicId}`, { waitUntil: 'domcontentloaded' });
      await page.waitForSelector('.eqLogic .jeelinkyPdl', { timeout: 60_000 });
      expect(await page.locator('.eqLogic .jeelinkyPdl').first().textContent()).toBe(PDL);
      expect(await page.locator('.eqLogic .jeelinkyPair').first().textContent()).toContain('Associer mon compteur');
      await page.waitForLoadState('load', { timeout: 90_000 });
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(SCREENSHOTS, 'jeedom-plugin-equipement.png'), fullPage: true });

      // "Relever maintenant" through the page's ajax endpoint and the logged-in session: the
      // runner calls back into Jeedom's API while the request is open (hence several workers).
      const fetched = page.waitForResponse(
        (r) => r.url().includes('jeelinky.ajax.php') && r.request().postData()?.includes('fetchNow') === true,
        { timeout: 120_000 },
      );
      await page.locator('.eqLogic .jeelinkyFetch').first().click();
      const answer = JSON.parse(await (await fetched).text()) as { state: string; result: { code: number } };
      expect(answer).toMatchObject({ state: 'ok', result: { code: 0 } });

      // "Associer mon compteur" clicked on the page (pairing again, as after a consent was
      // withdrawn): the code is shown, the simulator approves, the page ends on the PDL.
      await page.locator('.eqLogic .jeelinkyPair').first().click();
      const done = page.locator('.eqLogic .jeelinkyPairing.alert-success');
      await done.waitFor({ timeout: 120_000 });
      expect(await done.textContent()).toContain(`Compteur associé : ${PDL}`);
      const devices = await client.call<Array<{ eqType_name: string; logicalId: string }>>('eqLogic::byType', { type: 'jeelinky' });
      expect(devices.map((e) => e.logicalId)).toEqual([deviceLogicalId(PDL)]);
    } finally {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    }
  }, 400_000);
});
