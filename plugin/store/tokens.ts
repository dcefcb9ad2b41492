/**
 * Pairing and token state. The refresh token is the one thing that cannot be re-created without a
 * person: every answer that carries tokens is saved here before anything else is done with it.
 */
import { z } from 'zod';
import type { StateStore } from './state.js';

export const pairingSchema = z.object({
  deviceCode: z.string().min(1),
  userCode: z.string().min(1),
  verificationUri: z.string(),
  verificationUriComplete: z.string(),
  /** ISO instant after which the proxy forgets the device code. */
  expiresAt: z.string(),
  intervalSeconds: z.number().positive(),
  requestedAt: z.string(),
});
export type Pairing = z.infer<typeof pairingSchema>;

export const tokensSchema = z.object({
  accessToken: z.string().min(1),
  tokenType: z.string().min(1),
  refreshToken: z.string().min(1),
  /** ISO instant the access token expires; absent when the proxy did not say. */
  accessTokenExpiresAt: z.string().optional(),
  /** The `usage_points_id` string exactly as first received: the refresh grant needs it byte for byte. */
  usagePointsId: z.string(),
  usagePoints: z.array(z.string()),
  obtainedAt: z.string(),
  refreshedAt: z.string().optional(),
  /** How many times the proxy gave a refresh token different from the one we sent. */
  rotations: z.number().int().nonnegative().default(0),
});
export type Tokens = z.infer<typeof tokensSchema>;

export const retrySchema = z.object({
  retryAt: z.string(),
  reason: z.string(),
  code: z.string(),
  setAt: z.string(),
});
export type RetryState = z.infer<typeof retrySchema>;

const KEY_TOKENS = 'tokens';
const KEY_PAIRING = 'pairing';
const KEY_RETRY = 'retry';

export class TokenState {
  constructor(private readonly store: StateStore) {}

  getTokens(): Promise<Tokens | undefined> {
    return this.store.read(KEY_TOKENS, tokensSchema);
  }
  saveTokens(tokens: Tokens): Promise<void> {
    return this.store.write(KEY_TOKENS, tokens);
  }
  getPairing(): Promise<Pairing | undefined> {
    return this.store.read(KEY_PAIRING, pairingSchema);
  }
  savePairing(pairing: Pairing): Promise<void> {
    return this.store.write(KEY_PAIRING, pairing);
  }
  clearPairing(): Promise<void> {
    return this.store.remove(KEY_PAIRING);
  }
  getRetry(): Promise<RetryState | undefined> {
    return this.store.read(KEY_RETRY, retrySchema);
  }
  setRetry(retry: RetryState): Promise<void> {
    return this.store.write(KEY_RETRY, retry);
  }
  clearRetry(): Promise<void> {
    return this.store.remove(KEY_RETRY);
  }
}
