<?php
/* This file is part of jeelinky (MIT licence).
 *
 * Thin glue between Jeedom and the jeelinky runner (TypeScript, Node.js >= 20, shipped in
 * resources/jeelinky/): every Enedis, tariff and statistics rule lives in the runner. PHP only
 * builds the runner's environment from Jeedom's config, calls its CLI, logs what it said (secrets
 * masked) and schedules it.
 */
require_once __DIR__ . '/../../../../core/php/core.inc.php';

class jeelinky extends eqLogic {

	/** Plugin config key => the runner's environment variable (see the README's "Configuration"). */
	const ENV_CONFIG = array(
		'currentPlan' => 'JEELINKY_CURRENT_PLAN',
		'priceBase' => 'JEELINKY_PRICE_BASE',
		'priceHp' => 'JEELINKY_PRICE_HP',
		'priceHc' => 'JEELINKY_PRICE_HC',
		'subscriptionBase' => 'JEELINKY_SUBSCRIPTION_BASE',
		'subscriptionHphc' => 'JEELINKY_SUBSCRIPTION_HPHC',
		'offpeakHours' => 'JEELINKY_OFFPEAK_HOURS',
		'dailyCallBudget' => 'JEELINKY_DAILY_CALL_BUDGET',
		'mqttHost' => 'JEELINKY_MQTT_HOST',
		'mqttPort' => 'JEELINKY_MQTT_PORT',
		'mqttUsername' => 'JEELINKY_MQTT_USERNAME',
		'mqttPassword' => 'JEELINKY_MQTT_PASSWORD',
		'mqttPrefix' => 'JEELINKY_MQTT_PREFIX',
		'mqttHaDiscovery' => 'JEELINKY_MQTT_HA_DISCOVERY',
		'influxUrl' => 'JEELINKY_INFLUXDB_URL',
		'influxToken' => 'JEELINKY_INFLUXDB_TOKEN',
		'influxOrg' => 'JEELINKY_INFLUXDB_ORG',
		'influxBucket' => 'JEELINKY_INFLUXDB_BUCKET',
	);

	/** The reading kinds the plugin page offers (one checkbox each: config `kind::<kind>`). */
	const KINDS = array(
		'daily_consumption' => 'Consommation journalière',
		'max_power' => 'Puissance maximale',
		'load_curve' => 'Courbe de charge (30 min)',
		'daily_production' => 'Production journalière',
		'production_load_curve' => 'Courbe de production',
	);
	const DEFAULT_KINDS = array('daily_consumption', 'max_power', 'load_curve');

	/** The kinds ticked on the plugin page (the defaults when none is). */
	public static function kinds() {
		$kinds = array();
		foreach (array_keys(self::KINDS) as $kind) {
			if (config::byKey('kind::' . $kind, __CLASS__, in_array($kind, self::DEFAULT_KINDS) ? 1 : 0) == 1) {
				$kinds[] = $kind;
			}
		}
		return count($kinds) ? $kinds : self::DEFAULT_KINDS;
	}

	/** Config keys whose values never reach a log. */
	const SECRET_CONFIG = array('mqttPassword', 'influxToken');

	/* ---------------------------------------------------------------- paths and environment */

	/** The built runner: dist/, package.json and (after the dependency step) node_modules/. */
	public static function runnerDir() {
		return realpath(__DIR__ . '/../../resources') . '/jeelinky';
	}

	/** The runner's state (tokens, readings, retry), in Jeedom's data folder: kept across plugin updates. */
	public static function stateDir() {
		$dir = __DIR__ . '/../../../../data/jeelinky';
		if (!is_dir($dir)) {
			mkdir($dir, 0770, true);
		}
		return realpath($dir);
	}

	/** The box's own URL as the runner reaches it: the plugin setting, else 127.0.0.1 on Jeedom's internal port. */
	public static function jeedomUrl() {
		$url = trim(config::byKey('jeedomUrl', __CLASS__, ''));
		if ($url != '') {
			return $url;
		}
		$port = config::byKey('internalPort', 'core', 80);
		return 'http://127.0.0.1' . (($port == '' || $port == 80) ? '' : ':' . $port) . config::byKey('internalComplement', 'core', '');
	}

	/** The runner's environment: only JEELINKY_* (and PATH/HOME) from Jeedom's config. */
	public static function runnerEnv() {
		// The runner calls Jeedom with the plugin's own key, which Jeedom accepts only with
		// params.plugin = jeelinky; config::byKey('timezone') then reads this plugin's config: mirror it.
		config::save('timezone', config::byKey('timezone', 'core', 'Europe/Brussels'), __CLASS__);
		$env = array(
			'PATH' => getenv('PATH') ?: '/usr/local/bin:/usr/bin:/bin',
			'HOME' => self::stateDir(),
			'JEELINKY_STATE_DIR' => self::stateDir() . '/state',
			'JEELINKY_JEEDOM_URL' => self::jeedomUrl(),
			'JEELINKY_JEEDOM_APIKEY' => jeedom::getApiKey(__CLASS__),
			'JEELINKY_JEEDOM_EQTYPE' => __CLASS__,
			'JEELINKY_KINDS' => implode(',', self::kinds()),
		);
		foreach (self::ENV_CONFIG as $key => $name) {
			$value = trim((string) config::byKey($key, __CLASS__, ''));
			if ($value !== '') {
				$env[$name] = $value;
			}
		}
		// Advanced: one JEELINKY_NAME=value per line (e.g. JEELINKY_AUTH_URL for Enedis' sandbox).
		foreach (preg_split('/\r?\n/', (string) config::byKey('extraEnv', __CLASS__, '')) as $line) {
			if (preg_match('/^\s*(JEELINKY_[A-Z0-9_]+)\s*=\s*(.*?)\s*$/', $line, $m)) {
				$env[$m[1]] = $m[2];
			}
		}
		return $env;
	}

	/** Hides every secret the runner could echo: keys, tokens, passwords, device codes. */
	public static function mask($text) {
		$secrets = array(jeedom::getApiKey(__CLASS__), jeedom::getApiKey('core'));
		foreach (self::SECRET_CONFIG as $key) {
			$secrets[] = config::byKey($key, __CLASS__, '');
		}
		foreach ($secrets as $secret) {
			if (is_string($secret) && strlen($secret) >= 6) {
				$text = str_replace($secret, '***', $text);
			}
		}
		// Tokens and codes in JSON or in "key=value" text.
		$keys = '(?:access_?token|refresh_?token|device_?code|accessToken|refreshToken|deviceCode|apikey)';
		$text = preg_replace('/("' . $keys . '"\s*:\s*")[^"]{8,}"/i', '$1***"', $text);
		$text = preg_replace('/(\b' . $keys . '\s*=\s*)[^\s&"]{8,}/i', '$1***', $text);
		return $text;
	}

	/**
	 * Runs `node dist/scenario/cli.js <args>` and returns [code, stdout, stderr, json].
	 * Exit codes are the runner's: 0 ok, 75 try again later, 78 a person must act, 64 usage, 1 bug.
	 */
	public static function runCli(array $args, $timeout = 900) {
		$cli = self::runnerDir() . '/dist/scenario/cli.js';
		if (!file_exists($cli)) {
			throw new Exception(__('Le programme jeelinky est absent (resources/jeelinky) : réinstallez le plugin', __FILE__));
		}
		$node = trim(config::byKey('nodePath', __CLASS__, '')) ?: 'node';
		$cmd = 'timeout ' . intval($timeout) . ' ' . escapeshellarg($node) . ' ' . escapeshellarg($cli);
		foreach ($args as $arg) {
			$cmd .= ' ' . escapeshellarg($arg);
		}
		$pipes = array();
		$proc = proc_open($cmd, array(0 => array('file', '/dev/null', 'r'), 1 => array('pipe', 'w'), 2 => array('pipe', 'w')), $pipes, self::runnerDir(), self::runnerEnv());
		if (!is_resource($proc)) {
			throw new Exception(__('Impossible de lancer Node.js', __FILE__) . ' (' . $node . ')');
		}
		$stdout = stream_get_contents($pipes[1]);
		$stderr = stream_get_contents($pipes[2]);
		fclose($pipes[1]);
		fclose($pipes[2]);
		$code = proc_close($proc);
		$label = 'jeelinky ' . implode(' ', $args) . ' → ' . $code;
		log::add(__CLASS__, $code == 0 ? 'debug' : 'error', self::mask($label . ($stderr != '' ? ' : ' . trim($stderr) : '')));
		if ($code == 0 && trim($stderr) != '') {
			log::add(__CLASS__, 'info', self::mask(trim($stderr)));
		}
		log::add(__CLASS__, 'debug', self::mask(substr($stdout, 0, 4000)));
		return array('code' => $code, 'stdout' => $stdout, 'stderr' => self::mask(trim($stderr)), 'json' => json_decode($stdout, true));
	}

	/** The runner's `status --json` (no network call). */
	public static function status() {
		$r = self::runCli(array('status', '--json', '--gaps'), 60);
		if ($r['code'] != 0 || !is_array($r['json'])) {
			throw new Exception(__('État illisible', __FILE__) . ' : ' . $r['stderr']);
		}
		$status = $r['json'];
		$status['dailyTime'] = config::byKey('dailyTime', __CLASS__, '');
		$status['lastDailyDay'] = config::byKey('lastDailyDay', __CLASS__, '');
		return $status;
	}

	/* ---------------------------------------------------------------- pairing */

	/** "Associer mon compteur", step 1: the équipement (before pairing), then the address and code to show. */
	public static function pairStart() {
		$setup = self::runCli(array('jeedom', 'setup', '--json'), 120);
		if ($setup['code'] != 0) {
			throw new Exception(__('Création de l\'équipement impossible', __FILE__) . ' : ' . $setup['stderr']);
		}
		$r = self::runCli(array('run', '--code', '--json'), 120);
		if ($r['code'] != 0 || !is_array($r['json'])) {
			throw new Exception(__('Demande d\'appairage refusée', __FILE__) . ' : ' . $r['stderr']);
		}
		return $r['json'];
	}

	/** Step 2: waits for the consent (the runner polls Enedis), then completes the équipement of the PDL. */
	public static function pairWait() {
		$r = self::runCli(array('run', '--first-connexion', '--json'), 900);
		if ($r['code'] != 0) {
			throw new Exception(__('Appairage non terminé', __FILE__) . ' : ' . $r['stderr']);
		}
		$setup = self::runCli(array('jeedom', 'setup', '--json'), 120);
		if ($setup['code'] != 0) {
			log::add(__CLASS__, 'warning', __('Équipement à vérifier', __FILE__) . ' : ' . $setup['stderr']);
		}
		return self::status();
	}

	/* ---------------------------------------------------------------- schedule */

	/** A minute after 08:00 (08:05–10:55), drawn once so that every box does not call Enedis at once. */
	public static function drawDailyTime() {
		$minutes = 8 * 60 + 5 + 5 * mt_rand(0, 34);
		return sprintf('%02d:%02d', intdiv($minutes, 60), $minutes % 60);
	}

	/** A paired équipement exists (logicalId jeelinky_<PDL>). */
	public static function isPaired() {
		foreach (eqLogic::byType(__CLASS__) as $eqLogic) {
			if (preg_match('/^jeelinky_\d{14}$/', $eqLogic->getLogicalId())) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Every minute: the daily job once a day at or after the drawn minute (a box that was off at
	 * that minute catches up), and again at the runner's retry time when a run failed temporarily
	 * (the forum scenario's relaunch, docs/origins.md §5). The daily run also continues the backfill under the budget.
	 */
	public static function cron() {
		if (!self::isPaired()) {
			return;
		}
		$dailyTime = config::byKey('dailyTime', __CLASS__, '');
		if (!preg_match('/^\d{2}:\d{2}$/', $dailyTime)) {
			$dailyTime = self::drawDailyTime();
			config::save('dailyTime', $dailyTime, __CLASS__);
		}
		$now = time();
		$retryAt = config::byKey('retryAt', __CLASS__, '');
		if (config::byKey('lastDailyDay', __CLASS__, '') != date('Y-m-d', $now) && date('H:i', $now) >= $dailyTime) {
			self::fetchNow('daily');
		} elseif ($retryAt != '' && strtotime($retryAt) !== false && strtotime($retryAt) <= $now) {
			self::fetchNow('retry');
		}
	}

	/** "Relever maintenant" and the scheduled job: `run --json`, then the retry time from `status --json`. */
	public static function fetchNow($reason = 'manual') {
		if ($reason == 'daily') {
			// Saved first: a run that fails is retried at the runner's retry time, not every minute.
			config::save('lastDailyDay', date('Y-m-d'), __CLASS__);
		}
		log::add(__CLASS__, 'info', 'Relevé (' . $reason . ')');
		$r = self::runCli(array('run', '--json'), 3600);
		$report = is_array($r['json']) ? $r['json'] : array();
		try {
			$status = self::status();
			$retryAt = isset($status['pendingRetry']['retryAt']) ? $status['pendingRetry']['retryAt'] : '';
		} catch (Exception $e) {
			$retryAt = '';
		}
		config::save('retryAt', $retryAt, __CLASS__);
		if ($r['code'] == 0) {
			log::add(__CLASS__, 'info', 'Relevé terminé' . ($retryAt != '' ? ', nouvel essai après ' . $retryAt : ''));
		} elseif ($r['code'] == 75) {
			log::add(__CLASS__, 'warning', 'Enedis indisponible, nouvel essai après ' . $retryAt . ' : ' . $r['stderr']);
		} else {
			log::add(__CLASS__, 'error', 'Relevé en échec (code ' . $r['code'] . ') : ' . $r['stderr']);
		}
		return array('code' => $r['code'], 'message' => $r['stderr'], 'report' => $report, 'retryAt' => $retryAt);
	}

	/* ---------------------------------------------------------------- dependencies */

	public static function dependancy_info() {
		$return = array();
		$return['log'] = log::getPathToLog(__CLASS__ . '_update');
		$return['progress_file'] = jeedom::getTmpFolder(__CLASS__) . '/dependance';
		$return['state'] = 'ok';
		if (file_exists($return['progress_file'])) {
			$return['state'] = 'in_progress';
		} elseif (!file_exists(self::runnerDir() . '/node_modules/yargs/package.json')) {
			$return['state'] = 'nok';
		} else {
			$node = trim(config::byKey('nodePath', __CLASS__, '')) ?: 'node';
			$version = trim((string) shell_exec(escapeshellarg($node) . ' --version 2>/dev/null'));
			if (!preg_match('/^v(\d+)\./', $version, $m) || intval($m[1]) < 20) {
				$return['state'] = 'nok';
			}
		}
		return $return;
	}

	public static function dependancy_install() {
		log::remove(__CLASS__ . '_update');
		return array(
			'script' => __DIR__ . '/../../resources/install_apt.sh ' . jeedom::getTmpFolder(__CLASS__) . '/dependance',
			'log' => log::getPathToLog(__CLASS__ . '_update'),
		);
	}
}

class jeelinkyCmd extends cmd {
	/** Info commands only: the runner writes them through Jeedom's API. */
	public function execute($_options = array()) {
	}
}
