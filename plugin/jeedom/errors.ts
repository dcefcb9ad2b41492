/**
 * Jeedom failures as typed errors. Every class extends one of plugin/errors.ts so the CLI maps it to
 * the right exit code: a refused key or an unknown id needs a person (78), an unreachable or slow box
 * is worth retrying later (75). Messages never carry the API key (the client redacts them).
 */
import { ConfigError, ExitCode, JeelinkyError, ProtocolError, TemporaryError } from '../errors.js';

/** Wire codes of Jeedom's JSON-RPC errors (docs/jeedom-api.md §1). */
export const JeedomRpcCode = {
  INVALID_REQUEST: 1,
  BAD_APIKEY: 2,
  UNKNOWN_METHOD: 500,
  OBJECT_NOT_FOUND: 601,
  EQLOGIC_NOT_FOUND: 602,
  CMD_NOT_FOUND: 701,
  CMD_NOT_FOUND_EXEC: 702,
  SCENARIO_NOT_FOUND: 703,
  EXCEPTION: -32000,
} as const;

/** Jeedom refused the API key (missing, wrong, too short, disabled API). Exit 78. */
export class JeedomAuthError extends ConfigError {
  readonly rpcCode: number;
  constructor(message: string, rpcCode: number) {
    super(message, 'jeedom_auth');
    this.rpcCode = rpcCode;
  }
}

/** The box does not know a method: too old a Jeedom (3.x lacks cmd::event), or a restricted key. */
export class JeedomMethodError extends ConfigError {
  readonly rpcCode = JeedomRpcCode.UNKNOWN_METHOD;
  constructor(message: string) {
    super(message, 'jeedom_unknown_method');
  }
}

/** An object, device or command id (or name) that Jeedom does not have. */
export class JeedomNotFoundError extends ConfigError {
  readonly rpcCode: number | undefined;
  /** Close matches, for name lookups. */
  readonly suggestions: string[];
  constructor(message: string, rpcCode?: number, suggestions: string[] = []) {
    super(message, 'jeedom_not_found');
    this.rpcCode = rpcCode;
    this.suggestions = suggestions;
  }
}

/** A name that matches several commands or devices. */
export class JeedomAmbiguousError extends ConfigError {
  readonly candidates: string[];
  constructor(message: string, candidates: string[]) {
    super(message, 'jeedom_ambiguous');
    this.candidates = candidates;
  }
}

/** Jeedom is down, refuses connections, times out or answers 5xx: run again later. Exit 75. */
export class JeedomUnavailableError extends TemporaryError {
  constructor(message: string, code = 'jeedom_unreachable') {
    super(message, code);
  }
}

/** Something answered, but not Jeedom's JSON-RPC (HTML page, proxy login, bad JSON). */
export class JeedomProtocolError extends ProtocolError {
  constructor(message: string) {
    super(message, 'jeedom_bad_response');
  }
}

/** Any other JSON-RPC error (SQL errors, `Type incorrect`...): not worth retrying blindly. */
export class JeedomRpcError extends JeelinkyError {
  readonly rpcCode: number;
  readonly method: string;
  constructor(message: string, rpcCode: number, method: string) {
    super(message, { code: 'jeedom_error', exitCode: ExitCode.ACTION_NEEDED });
    this.rpcCode = rpcCode;
    this.method = method;
  }
}

/** Jeedom became unreachable in the middle of a history write; `summary` says what was done. */
export class JeedomWriteInterruptedError extends JeedomUnavailableError {
  readonly summary: unknown;
  constructor(message: string, code: string, summary: unknown) {
    super(message, code);
    this.summary = summary;
  }
}
