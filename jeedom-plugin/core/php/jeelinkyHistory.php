<?php
/*
 * jeelinky's batch history writer, behind the plugin's JSON-RPC method jeelinky::writeHistory
 * (core/api/jeelinky.api.php).
 *
 * It writes exactly the `history` rows that one cmd::event {id, value, datetime} per point writes
 * on Jeedom 4.5.3 (cmd::event → cmd->event() → cmd->addHistoryValue() → history->save()): the value
 * goes through the command's own formatValue() (offset formula, rounding, min/max), points that
 * event() drops (out of range, denyValues) are dropped, history->save()'s historizeRound is applied,
 * and each row is a REPLACE on (cmd_id, datetime) in the table `history`. What it does NOT do, by
 * design: touch the current value, fire triggers, listeners or alerts. The runner sets the newest
 * value once with `current` (or jeelinky::setCurrentValue), through cmd->event() without a history row.
 *
 * Commands where history->save() would smooth the value (Lissage on, historizeMode not "none") are
 * refused, as are disabled devices (cmd::event would silently drop every point): one clear error
 * instead of rows that differ from cmd::event's.
 */

class jeelinkyHistory {
	/** Points per call: a 2-year half-hourly curve (≈ 35,000 points per command) takes a few calls. */
	const MAX_POINTS = 10000;
	/** Rows per REPLACE statement (3 placeholders each, far under MariaDB's 65,535). */
	const ROWS_PER_STATEMENT = 1000;
	/** Version of this API: the runner checks it with jeelinky::version. */
	const API_VERSION = 1;
	/** Exception code for bad input: jeeApi.php answers -32000 - code, so -32602 (JSON-RPC "invalid params") on the wire. */
	const BAD_PARAMS = 602;

	/** `YYYY-MM-DD HH:MM:SS`, a real calendar date and time (naive: DST gaps are kept as cmd::event keeps them). */
	public static function checkDatetime($_datetime, $_where) {
		if (!is_string($_datetime) || !preg_match('/^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/', $_datetime, $m)
			|| !checkdate((int) $m[2], (int) $m[3], (int) $m[1]) || (int) $m[4] > 23 || (int) $m[5] > 59 || (int) $m[6] > 59 || (int) $m[1] < 1000) {
			throw new Exception($_where . ': datetime ' . json_encode($_datetime) . ' must be "YYYY-MM-DD HH:MM:SS" in the box\'s time zone (' . config::byKey('timezone', 'core', 'Europe/Brussels') . ')', self::BAD_PARAMS);
		}
		return $_datetime;
	}

	/** A number (or numeric string): cmd::event would store anything else as 0. */
	public static function checkValue($_value, $_where) {
		// A comma decimal ("1,5") is a number to cmd::event too (formatValue).
		if (is_bool($_value) || !(is_int($_value) || is_float($_value) || (is_string($_value) && is_numeric(str_replace(',', '.', trim($_value)))))) {
			throw new Exception($_where . ': value ' . json_encode($_value) . ' is not a number', self::BAD_PARAMS);
		}
		return $_value;
	}

	/** The command a point targets, checked once per call: an info command whose history cmd::event would write unchanged. */
	public static function writableCmd($_id, $_where, $_forHistory = true) {
		if (!is_numeric($_id) || (int) $_id != $_id || (int) $_id <= 0) {
			throw new Exception($_where . ': cmd_id ' . json_encode($_id) . ' is not a command id', self::BAD_PARAMS);
		}
		$cmd = cmd::byId((int) $_id);
		if (!is_object($cmd)) {
			throw new Exception($_where . ': command ' . (int) $_id . ' not found (Commande introuvable)', -32702);
		}
		global $_USER_GLOBAL;
		if (is_object($_USER_GLOBAL) && !$cmd->hasRight($_USER_GLOBAL)) {
			throw new Exception(__('Vous n\'avez pas les droits sur cette commande', __FILE__) . ' ' . (int) $_id, -32701);
		}
		$name = $cmd->getHumanName();
		if ($cmd->getType() != 'info' || !in_array($cmd->getSubType(), array('numeric', 'binary'))) {
			throw new Exception($_where . ': ' . $name . ' is not a numeric or binary info command (type ' . $cmd->getType() . '/' . $cmd->getSubType() . ')', self::BAD_PARAMS);
		}
		$eqLogic = $cmd->getEqLogic();
		if (!is_object($eqLogic) || $eqLogic->getIsEnable() == 0) {
			throw new Exception($_where . ': the device of ' . $name . ' is disabled; cmd::event would drop every value: tick "Activer" on the device', self::BAD_PARAMS);
		}
		if ($_forHistory) {
			if ($cmd->getIsHistorized() != 1) {
				throw new Exception($_where . ': ' . $name . ' is not historised: tick "Historiser" (jeelinky jeedom setup does)', self::BAD_PARAMS);
			}
			global $JEEDOM_INTERNAL_CONFIG;
			$smooth = $cmd->getConfiguration('history::smooth', config::byKey('history::smooth', 'core', 0));
			if ($JEEDOM_INTERNAL_CONFIG['cmd']['type']['info']['subtype'][$cmd->getSubType()]['isHistorized']['canBeSmooth']
				&& $smooth > 0 && $cmd->getConfiguration('historizeMode', 'none') != 'none') {
				throw new Exception($_where . ': ' . $name . ' smooths its history (Lissage ' . $cmd->getConfiguration('historizeMode') . '): set Lissage to "Aucun" (jeelinky jeedom setup does)', self::BAD_PARAMS);
			}
		}
		return $cmd;
	}

	/**
	 * The value cmd::event would store for this point, or null when it stores nothing:
	 * event() (formatValue, range, denyValues), addHistoryValue() (range, empty), history->save() (round, '' → NULL).
	 */
	public static function historyValue($_cmd, $_raw) {
		$value = $_cmd->formatValue($_raw);
		if ($_cmd->getSubType() == 'numeric' && ($value > $_cmd->getConfiguration('maxValue', $value) || $value < $_cmd->getConfiguration('minValue', $value)) && strpos($value, 'error') === false) {
			return null;
		}
		if ($_cmd->getConfiguration('denyValues') != '' && in_array($value, explode(';', $_cmd->getConfiguration('denyValues')))) {
			return null;
		}
		if ($value === '' || $value > $_cmd->getConfiguration('maxValue', $value) || $value < $_cmd->getConfiguration('minValue', $value)) {
			return null;
		}
		$round = $_cmd->getConfiguration('historizeRound');
		if ($round !== '' && is_numeric($round) && $round >= 0) {
			$value = round($value, $round);
		}
		return $value;
	}

	/** jeelinky::writeHistory. */
	public static function write($_params) {
		$points = isset($_params['points']) ? $_params['points'] : null;
		if (!is_array($points) || ($points !== array() && array_keys($points) !== range(0, count($points) - 1))) {
			throw new Exception('jeelinky::writeHistory: params.points must be a list of {cmd_id, datetime, value}', self::BAD_PARAMS);
		}
		if (count($points) > self::MAX_POINTS) {
			throw new Exception('jeelinky::writeHistory: ' . count($points) . ' points in one call, at most ' . self::MAX_POINTS . ': split them over several calls', self::BAD_PARAMS);
		}
		$current = isset($_params['current']) ? $_params['current'] : array();
		if (is_array($current) && isset($current['cmd_id'])) {
			$current = array($current);
		}
		if (!is_array($current)) {
			throw new Exception('jeelinky::writeHistory: params.current must be {cmd_id, value, datetime} or a list of them', self::BAD_PARAMS);
		}
		// Check everything before writing anything: a bad point refuses the whole call.
		$cmds = array();
		$rows = array(); // "cmd_id|datetime" => value: the same datetime twice, the last wins (as two REPLACEs)
		$dropped = 0;
		foreach ($points as $i => $p) {
			$where = 'jeelinky::writeHistory points[' . $i . ']';
			if (!is_array($p) || !array_key_exists('cmd_id', $p) || !array_key_exists('datetime', $p) || !array_key_exists('value', $p)) {
				throw new Exception($where . ' must be {cmd_id, datetime, value}', self::BAD_PARAMS);
			}
			$id = $p['cmd_id'];
			$key = is_scalar($id) ? (string) $id : '';
			if (!isset($cmds[$key])) {
				$cmds[$key] = self::writableCmd($id, $where);
			}
			self::checkDatetime($p['datetime'], $where);
			self::checkValue($p['value'], $where);
			$value = self::historyValue($cmds[$key], $p['value']);
			if ($value === null) {
				$dropped++;
				continue;
			}
			$rows[$cmds[$key]->getId() . '|' . $p['datetime']] = $value;
		}
		$currentCmds = array();
		foreach ($current as $i => $c) {
			$currentCmds[] = self::checkCurrent($c, 'jeelinky::writeHistory current[' . $i . ']');
		}
		$written = self::replaceRows($rows);
		$currentSet = 0;
		foreach ($currentCmds as $c) {
			self::applyCurrent($c[0], $c[1], $c[2]);
			$currentSet++;
		}
		return array('written' => $written, 'dropped' => $dropped, 'commands' => count($cmds), 'current' => $currentSet, 'maxPoints' => self::MAX_POINTS);
	}

	/** REPLACE INTO history, ROWS_PER_STATEMENT rows a statement, in one transaction. */
	private static function replaceRows($_rows) {
		if (count($_rows) == 0) {
			return 0;
		}
		$connection = DB::getConnection();
		$connection->beginTransaction();
		try {
			foreach (array_chunk($_rows, self::ROWS_PER_STATEMENT, true) as $chunk) {
				$values = array();
				foreach ($chunk as $key => $value) {
					list($id, $datetime) = explode('|', $key, 2);
					$values[] = (int) $id;
					$values[] = $datetime;
					// The same PHP value history->save() binds: PDO turns it into the same string.
					$values[] = $value;
				}
				$sql = 'REPLACE INTO history (cmd_id, `datetime`, value) VALUES ' . implode(',', array_fill(0, count($chunk), '(?,?,?)'));
				DB::Prepare($sql, $values, DB::FETCH_TYPE_ROW);
			}
			$connection->commit();
		} catch (Exception $e) {
			$connection->rollBack();
			throw $e;
		}
		return count($_rows);
	}

	/** {cmd_id, value, datetime} checked: [cmd, value, datetime]. */
	public static function checkCurrent($_c, $_where) {
		if (!is_array($_c) || !array_key_exists('cmd_id', $_c) || !array_key_exists('value', $_c)) {
			throw new Exception($_where . ' must be {cmd_id, value, datetime}', self::BAD_PARAMS);
		}
		$cmd = self::writableCmd($_c['cmd_id'], $_where, false);
		self::checkValue($_c['value'], $_where);
		$datetime = isset($_c['datetime']) ? self::checkDatetime($_c['datetime'], $_where) : null;
		return array($cmd, $_c['value'], $datetime);
	}

	/**
	 * The current value as cmd::event sets it (cache, collect and value dates, the device's last
	 * communication, triggers, listeners), without its history row: event() on a copy loaded for this
	 * call whose historisation is off in memory only (event() never saves the command).
	 */
	public static function applyCurrent($_cmd, $_value, $_datetime) {
		$copy = cmd::byId($_cmd->getId());
		$copy->setIsHistorized(0);
		$copy->event($_value, $_datetime);
	}

	/** jeelinky::setCurrentValue. */
	public static function setCurrent($_params) {
		$c = self::checkCurrent($_params, 'jeelinky::setCurrentValue');
		self::applyCurrent($c[0], $c[1], $c[2]);
		return array('current' => 1);
	}

	/** jeelinky::version: answers only when the plugin's files are on the box. */
	public static function version() {
		return array('plugin' => 'jeelinky', 'api' => self::API_VERSION, 'methods' => array('jeelinky::writeHistory', 'jeelinky::setCurrentValue'), 'maxPoints' => self::MAX_POINTS);
	}
}
