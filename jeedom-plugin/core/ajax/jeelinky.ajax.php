<?php
/* jeelinky: the équipement page's actions (admin only). Each one calls the runner's CLI. */
try {
	require_once __DIR__ . '/../../../../core/php/core.inc.php';
	include_file('core', 'authentification', 'php');
	if (!isConnect('admin')) {
		throw new Exception(__('401 - Accès non autorisé', __FILE__));
	}
	ajax::init();
	$action = init('action');
	if (in_array($action, array('pairWait', 'fetchNow'))) {
		// The consent or a backfill can take minutes: the runner bounds the wait itself.
		@set_time_limit(0);
	}
	if ($action == 'pairStart') {            // run --code --json: the address and code to show
		ajax::success(jeelinky::pairStart());
	}
	if ($action == 'pairWait') {             // run --first-connexion --json: waits for the consent
		ajax::success(jeelinky::pairWait());
	}
	if ($action == 'fetchNow') {             // run --json
		ajax::success(jeelinky::fetchNow('manual'));
	}
	if ($action == 'status') {               // status --json
		ajax::success(jeelinky::status());
	}
	throw new Exception(__('Aucune méthode correspondante à', __FILE__) . ' : ' . $action);
} catch (Exception $e) {
	ajax::error(displayException($e), $e->getCode());
}
