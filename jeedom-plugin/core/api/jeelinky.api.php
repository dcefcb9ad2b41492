<?php
/*
 * jeelinky's JSON-RPC methods, reached on core/api/jeeApi.php with params.plugin = "jeelinky".
 * Jeedom includes this file after checking the key (the core key or the plugin's own key,
 * jeedom::getApiKey('jeelinky')). An unknown method falls through to the core's methods.
 *
 * - jeelinky::version → {plugin, api, methods, maxPoints}
 * - jeelinky::writeHistory {points: [{cmd_id, datetime, value}…], current?: {cmd_id, value, datetime} | […]}
 *     → {written, dropped, commands, current, maxPoints}; see core/php/jeelinkyHistory.php
 * - jeelinky::setCurrentValue {cmd_id, value, datetime?} → {current: 1}
 */
global $jsonrpc; // included from inside include_file(): the global, not a local
require_once __DIR__ . '/../php/jeelinkyHistory.php';

$jeelinkyParams = $jsonrpc->getParams();
switch ($jsonrpc->getMethod()) {
	case 'jeelinky::version':
		$jsonrpc->makeSuccess(jeelinkyHistory::version());
		break;
	case 'jeelinky::writeHistory':
		$jsonrpc->makeSuccess(jeelinkyHistory::write($jeelinkyParams));
		break;
	case 'jeelinky::setCurrentValue':
		$jsonrpc->makeSuccess(jeelinkyHistory::setCurrent($jeelinkyParams));
		break;
}
