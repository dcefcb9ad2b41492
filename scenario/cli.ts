#!/usr/bin/env node
/**
 * The `jeelinky` command line. Commands live in scenario/commands/, one module each; this file only
 * wires them into yargs and turns errors into one line and an exit code (see plugin/errors.ts).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { checkArgv, rootSpec } from './argv-check.js';
import { NUMBER_FLAG_RULES } from './commands/common.js';
import { commands } from './commands/index.js';
import { renderFailure } from './output.js';
import { ExitCode, UsageError } from '../plugin/errors.js';
import { installDefaultStop, interruption } from './signals.js';

/** Options whose value may start with "-" (date expressions such as "-10 days"). */
const DASHED_VALUE_OPTIONS = new Set(['--since', '--until', '--now']);

/**
 * yargs reads `--since -10 days` as flags -1, -0…; glue such values to their option
 * (`--since=-10 days`) so that users can write expressions the way PHP does.
 */
export function glueDashedValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return out.concat(argv.slice(i));
    const next = argv[i + 1];
    if (DASHED_VALUE_OPTIONS.has(arg) && next?.startsWith('-') && next !== '--') {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

export async function main(argv: string[]): Promise<number> {
  const args = glueDashedValues(argv);
  try {
    // Before yargs runs anything: a slip on the command line must not start a run.
    checkArgv(args, rootSpec(commands), NUMBER_FLAG_RULES);
  } catch (err) {
    return renderFailure(err);
  }
  installDefaultStop();
  const parser = yargs(args)
    .scriptName('jeelinky')
    .usage('$0 <command> [options]\n\nLinky (Enedis) smart-meter data into Jeedom, MQTT/Home Assistant and InfluxDB.')
    .strict()
    .demandCommand(1, 'Name a command: jeelinky --help lists them.')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .parserConfiguration({ 'populate--': true })
    .fail((msg, err) => {
      // Errors thrown by a handler arrive here too when the handler is async and rejected.
      if (err && !(err.name === 'YError')) throw err;
      // yargs' own validation (missing command or argument): a usage error. Throwing, not printing,
      // is what stops yargs from going on to the handler.
      throw new UsageError(`${String(msg ?? err?.message).replace(/\s*\n\s*/g, ' ')}; "jeelinky --help" lists the commands and flags`);
    })
    .epilogue(
      'Exit codes: 0 done · 75 temporary failure, run again later · 78 a person must act (pairing, consent, configuration) · 64 bad usage · 1 bug.',
    );
  for (const command of commands) parser.command(command);
  try {
    await parser.parseAsync();
  } catch (err) {
    return renderFailure(err);
  }
  return (process.exitCode as number | undefined) ?? ExitCode.OK;
}

// After SIGINT/SIGTERM the output is written (synchronously, on Linux pipes, files and
// terminals): leave now rather than wait for a socket that an aborted library call left open.
const leave = (code: number): void => {
  if (interruption()) process.exit(code);
  process.exitCode = code;
};
main(hideBin(process.argv)).then(leave, (err) => leave(renderFailure(err)));
