/**
 * Reads the error out of an answer body whatever its shape. Enedis documents
 * `{"error","error_description"}`, but proxies and gateways in the wild (and the DomoticzLinky
 * proxy before 2024, with HTTP 200) also send `{"code","message"}`, `{"status":500,"message"}`,
 * `{"error":{"code","message"}}`, `{"errors":[…]}`, Apigee's `{"fault":{…}}`, French keys, or wrap
 * Enedis' body (`{"error":"result_400","enedis_return":{…}}`, docs/enedis-api.md §6.3). The caller classifies
 * by the code first, the wording second, and treats what it does not know as temporary.
 */

export interface BodyError {
  /** The error code as sent (`ADAM-ERR0075`, `no_data_found`, `Unauthorized`), '' when there is none. */
  code: string;
  /** The human text (error_description, message…), one line, '' when there is none. */
  description: string;
  /** A status written in the body (`"status":500`, `"code":"503"`, `result_400`), when any. */
  status?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : typeof v === 'number' ? String(v) : undefined);

/** Keys that carry the human text, in order of preference. */
const TEXT_KEYS = [
  'error_description',
  'message',
  'description',
  'detail',
  'error_message',
  'errorMessage',
  'libelle',
  'faultstring',
  'title',
];
/** Keys that carry the code, in order of preference. */
const CODE_KEYS = ['error', 'code', 'error_code', 'errorCode', 'erreur', 'errorcode'];

/** The text of the first of `keys` that holds one. */
function firstText(body: Obj, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const v = text(body[k]);
    if (v !== undefined) return v;
  }
  return undefined;
}

function statusOf(v: unknown): number | undefined {
  const s = typeof v === 'number' ? v : typeof v === 'string' && /^\d{3}$/.test(v.trim()) ? Number(v) : undefined;
  return s !== undefined && s >= 100 && s <= 599 ? s : undefined;
}

/** One line, at most 200 characters: descriptions end up in one-line messages. */
function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** The error an answer body carries, or undefined when it does not look like an error at all. */
export function errorInBody(body: unknown, depth = 0): BodyError | undefined {
  if (!isObj(body) || depth > 3) return undefined;
  // Wrappers first: the inner error is the one that says what happened.
  if (isObj(body.enedis_return)) {
    const inner = errorInBody(body.enedis_return, depth + 1);
    const wrapped = /^result_(\d{3})$/.exec(String(body.error ?? ''));
    if (inner) return { ...inner, status: inner.status ?? (wrapped ? Number(wrapped[1]) : undefined) };
  }
  for (const key of ['error', 'erreur', 'fault']) {
    if (isObj(body[key])) {
      const inner = errorInBody(body[key], depth + 1);
      if (inner) return { ...inner, status: inner.status ?? statusOf(body.status) };
    }
  }
  if (Array.isArray(body.errors) && body.errors.length) {
    const inner = errorInBody(body.errors[0], depth + 1);
    if (inner) return inner;
  }
  let code = firstText(body, CODE_KEYS) ?? '';
  if (!code && isObj(body.detail)) code = text(body.detail.errorcode) ?? '';
  const description = firstText(body, TEXT_KEYS) ?? '';
  const status = statusOf(body.status) ?? statusOf(body.statusCode) ?? statusOf(body.http_status) ?? statusOf(code);
  if (!code && !description && status === undefined) return undefined;
  return { code: oneLine(code), description: oneLine(description), status };
}

/** Codes compared case-insensitively, `_` = `-` (the OpenAPI writes ADAM_DC_0008, the error table ADAM-DC-0008). */
export function normaliseCode(code: string): string {
  return code.trim().toUpperCase().replace(/_/g, '-');
}
