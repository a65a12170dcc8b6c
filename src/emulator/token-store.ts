/**
 * OAuth2 client-credentials tokens: issued by `/oauth2/token`, checked on every bulk request.
 * Both documented token response shapes are produced, so clients are tested against each.
 */
import { createHmac, randomBytes } from 'node:crypto';

import { DEFAULT_CLIENT, type EmulatorClient } from '../core/embedded-client.js';

export { DEFAULT_CLIENT, type EmulatorClient };

/** 'string': `expires_in` as a string, token_type "BearerToken"; 'number': a JWT, `expires_in` a number. */
export type TokenShape = 'string' | 'number';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: string | number;
  scope: string;
}

// Expired tokens are dropped on each issue; this caps the live ones against a runaway client.
const MAX_LIVE_TOKENS = 10_000;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

export class TokenStore {
  readonly #clients: readonly EmulatorClient[];
  readonly #expiry = new Map<string, number>();
  readonly #signingKey = randomBytes(32);
  readonly #now: () => number;

  constructor(clients: readonly EmulatorClient[], now: () => number = Date.now) {
    this.#clients = clients;
    this.#now = now;
  }

  /** Whether the id/secret pair belongs to a configured client. */
  authenticate(clientId: string, clientSecret: string): boolean {
    return this.#clients.some((c) => c.id === clientId && c.secret === clientSecret);
  }

  issue(clientId: string, lifetimeSec: number, shape: TokenShape): TokenResponse {
    const now = this.#now();
    for (const [token, expiresAt] of this.#expiry) if (expiresAt <= now) this.#expiry.delete(token);
    while (this.#expiry.size >= MAX_LIVE_TOKENS) {
      const oldest = this.#expiry.keys().next().value;
      if (oldest === undefined) break;
      this.#expiry.delete(oldest);
    }
    const expiresAt = now + lifetimeSec * 1000;
    const wholeSeconds = Math.max(0, Math.floor(lifetimeSec));
    if (shape === 'string') {
      const token = randomBytes(24).toString('hex');
      this.#expiry.set(token, expiresAt);
      return { access_token: token, token_type: 'BearerToken', expires_in: String(wholeSeconds), scope: '' };
    }
    const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = base64url(
      JSON.stringify({
        sub: clientId,
        iat: Math.floor(now / 1000),
        exp: Math.floor(expiresAt / 1000),
        jti: randomBytes(8).toString('hex'),
      }),
    );
    const signature = createHmac('sha256', this.#signingKey).update(`${header}.${payload}`).digest('base64url');
    const token = `${header}.${payload}.${signature}`;
    this.#expiry.set(token, expiresAt);
    return { access_token: token, token_type: 'Bearer', expires_in: wholeSeconds, scope: 'profile' };
  }

  /** Whether an `Authorization` header carries a token this store issued and that has not expired. */
  accepts(authorization: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    const token = match?.[1];
    if (token === undefined) return false;
    const expiresAt = this.#expiry.get(token);
    return expiresAt !== undefined && expiresAt > this.#now();
  }

  /** Makes every issued token invalid at once (the "token expired mid-run" fault). */
  expireAll(): void {
    this.#expiry.clear();
  }
}
