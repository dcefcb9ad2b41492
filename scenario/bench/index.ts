/**
 * `npm run bench`: prints the project's speed and call-count figures, section by section.
 * Figures, never pass/fail: the tests check behaviour, this measures it.
 */
import { benchBackfill } from './backfill.js';
import { benchDates } from './dates.js';
import { benchJeedom } from './jeedom.js';
import { benchJeedomReal } from './jeedom-real.js';
import { benchPublish } from './publish.js';
import { benchReport } from './report.js';
import { benchStats } from './stats.js';

const sections: Array<[string, () => Promise<Record<string, number | string>>]> = [
  ['Fetch and store (simulator)', benchBackfill],
  ['Date expressions', benchDates],
  ['Statistics over 3 years of 30-minute points (old scan vs new index)', benchStats],
  ['Jeedom history import (simulator)', benchJeedom],
  ['Jeedom history import, batch vs cmd::event (real Jeedom 4.5.3, Jeedom plugin jeelinky)', benchJeedomReal],
  ['HTML report', benchReport],
  ['Publishing to MQTT and InfluxDB (mosquitto, victoria-metrics)', benchPublish],
];

for (const [title, run] of sections) {
  process.stdout.write(`\n${title}\n${'-'.repeat(title.length)}\n`);
  const figures = await run();
  const width = Math.max(...Object.keys(figures).map((k) => k.length));
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(width)}  ${v}\n`);
}
