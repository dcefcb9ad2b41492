/**
 * Secrets (tokens, API keys, device codes) never appear in clear in logs, errors or `--json` output.
 * `maskSecret` keeps a short prefix so that a user can still tell two tokens apart.
 */
export function maskSecret(secret: string | undefined | null): string {
  if (!secret) return '';
  if (secret.length <= 8) return '…';
  return `${secret.slice(0, 4)}…(${secret.length})`;
}

/** Replaces every known secret in `text` by its mask; used on messages that quote peer answers. */
export function redact(text: string, secrets: Iterable<string | undefined | null>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join(maskSecret(s));
  }
  // Whatever still looks like a 32+ hex token (the proxy's opaque tokens are 64 hex) is masked too,
  // except a state file's name (`<state dir>/data/<SHA-256 of its key>`): a message about a damaged
  // file must name it, and that hash is no secret.
  return out.replace(/(?<!\/data\/)\b[0-9a-f]{32,}\b/gi, (m) => maskSecret(m));
}

/** Masks a PDL (usage point id) except its last 4 digits, for reports meant to be shared. */
export function maskUsagePoint(pdl: string): string {
  return pdl.length <= 4 ? pdl : `${'•'.repeat(pdl.length - 4)}${pdl.slice(-4)}`;
}
