/**
 * The CLI's commands, in the order `jeelinky --help` lists them. Add a command by writing its module
 * in this folder and listing it here.
 */
import type { CommandModule } from 'yargs';
import { backfillCommand } from './backfill.js';
import { dateCommand } from './date.js';
import { demoCommand } from './demo.js';
import { jeedomCommand } from './jeedom.js';
import { pairCommand } from './pair.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { statsCommand } from './stats.js';
import { publishCommand } from './publish.js';
import { statusCommand } from './status.js';
import { tariffCommand } from './tariff.js';
import { tempoCommand } from './tempo.js';

// biome-ignore lint/suspicious/noExplicitAny: yargs' CommandModule is generic in each command's argv; the list mixes them.
export const commands: CommandModule<any, any>[] = [
  runCommand,
  pairCommand,
  statusCommand,
  backfillCommand,
  demoCommand,
  reportCommand,
  publishCommand,
  jeedomCommand,
  dateCommand,
  tariffCommand,
  tempoCommand,
  statsCommand,
];
