<?php
/* jeelinky: the plugin page's settings (Plugins → Gestion des plugins → Jeelinky). Stored in
 * Jeedom's config (plugin jeelinky) and passed to the runner as JEELINKY_* variables. */
require_once __DIR__ . '/../../../core/php/core.inc.php';
include_file('core', 'authentification', 'php');
if (!isConnect()) {
	include_file('desktop', '404', 'php');
	die();
}
function jeelinky_field($key, $label, $help, $placeholder = '', $type = 'text') {
	echo '<div class="form-group"><label class="col-md-4 control-label">' . $label
		. ' <sup><i class="fas fa-question-circle tooltips" title="' . htmlspecialchars($help) . '"></i></sup></label>'
		. '<div class="col-md-4"><input type="' . $type . '" class="configKey form-control" data-l1key="' . $key . '" placeholder="' . htmlspecialchars($placeholder) . '"/></div></div>';
}
?>
<form class="form-horizontal">
	<fieldset>
		<legend><i class="fas fa-bolt"></i> {{Relevés}}</legend>
		<div class="form-group">
			<label class="col-md-4 control-label">{{Données à relever}}</label>
			<div class="col-md-6">
				<?php foreach (jeelinky::KINDS as $kind => $label) { ?>
					<label class="checkbox-inline"><input type="checkbox" class="configKey" data-l1key="kind::<?php echo $kind; ?>"/><?php echo $label; ?></label><br/>
				<?php } ?>
			</div>
		</div>
		<?php
		jeelinky_field('dailyTime', '{{Heure du relevé quotidien}}', 'Tirée au hasard après 08:00 à l\'installation (HH:MM). Le relevé a lieu une fois par jour à cette heure ou dès que possible après.', '08:35');
		jeelinky_field('dailyCallBudget', '{{Appels Enedis par jour}}', 'Budget quotidien d\'appels pour rattraper l\'historique (50 par défaut, 0 = sans limite).', '50');
		?>
		<legend><i class="fas fa-euro-sign"></i> {{Tarifs et heures creuses}}</legend>
		<?php
		jeelinky_field('currentPlan', '{{Option tarifaire}}', 'BASE ou HPHC (par défaut : celle du contrat).', 'HPHC');
		jeelinky_field('priceBase', '{{Prix du kWh en Base (€)}}', 'Prix du kWh de l\'option Base.', '0.2516');
		jeelinky_field('priceHp', '{{Prix du kWh heures pleines (€)}}', 'Prix du kWh en heures pleines.', '0.27');
		jeelinky_field('priceHc', '{{Prix du kWh heures creuses (€)}}', 'Prix du kWh en heures creuses.', '0.2068');
		jeelinky_field('subscriptionBase', '{{Abonnement Base (€/mois)}}', 'Optionnel : pour comparer les options.', '12.44');
		jeelinky_field('subscriptionHphc', '{{Abonnement HP/HC (€/mois)}}', 'Optionnel : pour comparer les options.', '12.85');
		jeelinky_field('offpeakHours', '{{Plages d\'heures creuses}}', 'Format "22h00-06h00;12h30-14h30". Vide : les plages du contrat Enedis.', '22h00-06h00');
		?>
		<legend><i class="fas fa-share-alt"></i> {{MQTT (optionnel)}}</legend>
		<?php
		jeelinky_field('mqttHost', '{{Serveur MQTT}}', 'Vide : pas de publication MQTT.', '192.168.1.10');
		jeelinky_field('mqttPort', '{{Port}}', 'Port du serveur MQTT.', '1883');
		jeelinky_field('mqttUsername', '{{Utilisateur}}', 'Utilisateur MQTT.');
		jeelinky_field('mqttPassword', '{{Mot de passe}}', 'Mot de passe MQTT (jamais écrit dans les logs).', '', 'password');
		jeelinky_field('mqttPrefix', '{{Préfixe des topics}}', 'Préfixe des topics publiés.', 'jeelinky');
		jeelinky_field('mqttHaDiscovery', '{{Découverte Home Assistant}}', '1 pour publier la découverte Home Assistant, 0 sinon.', '1');
		?>
		<legend><i class="fas fa-database"></i> {{InfluxDB v2 (optionnel)}}</legend>
		<?php
		jeelinky_field('influxUrl', '{{URL InfluxDB}}', 'Vide : pas d\'écriture InfluxDB.', 'http://192.168.1.10:8086');
		jeelinky_field('influxToken', '{{Jeton}}', 'Jeton InfluxDB (jamais écrit dans les logs).', '', 'password');
		jeelinky_field('influxOrg', '{{Organisation}}', 'Organisation InfluxDB.');
		jeelinky_field('influxBucket', '{{Bucket}}', 'Bucket InfluxDB.');
		?>
		<legend><i class="fas fa-cogs"></i> {{Avancé}}</legend>
		<?php
		jeelinky_field('jeedomUrl', '{{Adresse interne de Jeedom}}', 'Adresse à laquelle le programme joint Jeedom. Vide : http://127.0.0.1 et le port interne de Jeedom.', 'http://127.0.0.1');
		jeelinky_field('nodePath', '{{Chemin de Node.js}}', 'Vide : node (Node.js 20 ou plus récent).', '/usr/bin/node');
		?>
		<div class="form-group">
			<label class="col-md-4 control-label">{{Variables supplémentaires}} <sup><i class="fas fa-question-circle tooltips" title="Une variable JEELINKY_NOM=valeur par ligne (par exemple JEELINKY_AUTH_URL pour le bac à sable Enedis)."></i></sup></label>
			<div class="col-md-6"><textarea class="configKey form-control" data-l1key="extraEnv" rows="3" placeholder="JEELINKY_SANDBOX=1"></textarea></div>
		</div>
	</fieldset>
</form>
