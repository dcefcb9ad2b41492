<?php
/* jeelinky: install, update and remove hooks (Jeedom calls them in a child process). */
require_once __DIR__ . '/../../../core/php/core.inc.php';

/** First activation: the daily minute (08:05–10:55, drawn once) and the defaults of the plugin page. */
function jeelinky_install() {
	if (config::byKey('dailyTime', 'jeelinky', '') == '') {
		config::save('dailyTime', jeelinky::drawDailyTime(), 'jeelinky');
	}
	foreach (array_keys(jeelinky::KINDS) as $kind) {
		if (config::byKey('kind::' . $kind, 'jeelinky', '') === '') {
			config::save('kind::' . $kind, in_array($kind, jeelinky::DEFAULT_KINDS) ? 1 : 0, 'jeelinky');
		}
	}
	jeelinky::stateDir();
}

/** A re-install or update: keeps the drawn minute, the settings and the runner's state. */
function jeelinky_update() {
	jeelinky_install();
}

/** Removal: the settings go with the plugin; the state (tokens, readings) stays in data/jeelinky. */
function jeelinky_remove() {
	foreach (array('dailyTime', 'lastDailyDay', 'retryAt') as $key) {
		config::remove($key, 'jeelinky');
	}
}
