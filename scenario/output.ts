/**
 * How the CLI speaks: one line per failure on stderr, data on stdout, `--json` as a single document.
 */
import { ExitCode, isJeelinkyError } from '../plugin/errors.js';
import { redact } from '../plugin/secrets.js';
import { settingVariable } from '../plugin/settings.js';
import { interruption } from './signals.js';

/** Prints the failure as one line and returns the exit code it maps to. */
export function renderFailure(err: unknown): number {
  // The signal's own line was printed when it came: once is enough.
  if (isJeelinkyError(err) && err.code === 'interrupted' && interruption()) return err.exitCode;
  if (isJeelinkyError(err)) {
    const when = err.retryAt ? ` (retry after ${err.retryAt.toISOString()})` : '';
    process.stderr.write(`jeelinky: ${redact(err.message, [])}${when}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `jeelinky: unexpected error: ${redact(message, [])}. This is a bug: please report it with the command you ran` +
      ` (set JEELINKY_DEBUG=1 to see the stack).\n`,
  );
  // Any non-empty value shows the stack (the debug setting is read as text, not as a 1/0 switch).
  if (settingVariable('debug') && err instanceof Error && err.stack) {
    process.stderr.write(`${redact(err.stack, [])}\n`);
  }
  return ExitCode.BUG;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
