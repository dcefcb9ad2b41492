/**
 * Every failure jeelinky knows about is one of these classes. The CLI renders them as one line
 * (`message` already says what happened and what to do) and exits with `exitCode`, so that a
 * scheduler (a Jeedom scenario, cron, systemd) can act on the code alone.
 */

/** Exit codes, documented in the README. */
export const ExitCode = {
  /** Everything asked was done (days not yet published by Enedis are not a failure). */
  OK: 0,
  /** An unexpected bug: please report it. */
  BUG: 1,
  /** The command line itself was wrong (unknown flag, missing argument). */
  USAGE: 64,
  /** Temporary failure (network, 5xx, quota, another run holds the lock): run again later. */
  TEMPORARY: 75,
  /** A person must act: pairing, consent, configuration, damaged state. */
  ACTION_NEEDED: 78,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export interface ErrorDetails {
  /** A stable machine-readable code, e.g. `consent_missing`, shown in `--json` output. */
  code: string;
  exitCode: ExitCode;
  /** When a temporary failure may be retried (the forum scenario's relaunchScenario, made precise: docs/origins.md §5). */
  retryAt?: Date;
  cause?: unknown;
}

export class JeelinkyError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly retryAt?: Date;

  constructor(message: string, details: ErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = details.code;
    this.exitCode = details.exitCode;
    this.retryAt = details.retryAt;
  }
}

/** Bad configuration or input given by the user (flags, variables, config file, expressions). */
export class ConfigError extends JeelinkyError {
  constructor(message: string, code = 'config_invalid') {
    super(message, { code, exitCode: ExitCode.ACTION_NEEDED });
  }
}

/** The command line itself is wrong (unknown flag or command, a value of the wrong type): exit 64, nothing ran. */
export class UsageError extends JeelinkyError {
  constructor(message: string, code = 'usage') {
    super(message, { code, exitCode: ExitCode.USAGE });
  }
}

/** Pairing is missing, expired, refused or must start again: a person runs `pair` or `--code`. */
export class PairingError extends JeelinkyError {
  constructor(message: string, code = 'pairing_required') {
    super(message, { code, exitCode: ExitCode.ACTION_NEEDED });
  }
}

/** Enedis says the consent is missing or revoked, or the PDL is not covered: re-pair. */
export class ConsentError extends JeelinkyError {
  constructor(message: string, code = 'consent_missing') {
    super(message, { code, exitCode: ExitCode.ACTION_NEEDED });
  }
}

/** Something that will probably work later: network, 5xx, timeouts, quotas, slow_down. */
export class TemporaryError extends JeelinkyError {
  constructor(message: string, code: string, retryAt?: Date, cause?: unknown) {
    super(message, { code, exitCode: ExitCode.TEMPORARY, retryAt, cause });
  }
}

/** The peer answered something that is not what the API documents (HTML page, bad JSON, bad shape). */
export class ProtocolError extends TemporaryError {
  constructor(message: string, code = 'bad_response', retryAt?: Date) {
    super(message, code, retryAt);
  }
}

/** State files that cannot be read or written: never silently reset, tell the user which file. */
export class StateError extends JeelinkyError {
  constructor(message: string, code = 'state_damaged', cause?: unknown) {
    super(message, { code, exitCode: ExitCode.ACTION_NEEDED, cause });
  }
}

/** Another jeelinky run holds the state lock. */
export class LockBusyError extends JeelinkyError {
  constructor(message: string) {
    super(message, { code: 'locked', exitCode: ExitCode.TEMPORARY });
  }
}

/** A date expression (PHP strtotime syntax) that cannot be understood. */
export class DateExpressionError extends JeelinkyError {
  constructor(message: string) {
    super(message, { code: 'bad_date_expression', exitCode: ExitCode.ACTION_NEEDED });
  }
}

export function isJeelinkyError(e: unknown): e is JeelinkyError {
  return e instanceof JeelinkyError;
}

/** SIGINT/SIGTERM: the run stopped at a clean point; what was fetched is kept. */
export class InterruptedError extends TemporaryError {
  constructor(signal: string, where: string) {
    super(`stopped by ${signal} at a clean point (${where}); everything done so far is saved: run again to continue`, 'interrupted');
  }
}

/** Throws InterruptedError when `signal` was aborted (checked between two units of work). */
export function throwIfInterrupted(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new InterruptedError(String(signal.reason ?? 'a signal'), where);
}

/** Waits `ms`, or throws InterruptedError as soon as `signal` is aborted (pacing, backoff, polls). */
export function interruptibleSleep(ms: number, signal: AbortSignal | undefined, where: string): Promise<void> {
  throwIfInterrupted(signal, where);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new InterruptedError(String(signal!.reason ?? 'a signal'), where));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects with InterruptedError when `signal` is aborted, for racing a call that cannot be aborted itself. */
export function whenInterrupted(signal: AbortSignal | undefined, where: string): { promise: Promise<never>; done: () => void } {
  let done = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    const onAbort = () => reject(new InterruptedError(String(signal.reason ?? 'a signal'), where));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    done = () => signal.removeEventListener('abort', onAbort);
  });
  promise.catch(() => undefined);
  return { promise, done };
}
