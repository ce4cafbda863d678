import crypto from 'node:crypto';
import { sendHttp } from './http-client.ts';

export interface OAuthClient {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * OAuth 2.0 client-credentials tokens, cached per endpoint until shortly before they
 * expire. The cache is only an optimisation: another process fetching its own token is
 * harmless, and a 401 from the receiver drops the cached token (see `invalidate`).
 */
export class TokenCache {
  readonly #tokens = new Map<string, CachedToken>();
  readonly #inflight = new Map<string, Promise<string>>();

  constructor(private readonly opts: { timeoutMs: number; allowPrivate: boolean }) {}

  async get(client: OAuthClient): Promise<string> {
    const key = cacheKey(client);
    const cached = this.#tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    let pending = this.#inflight.get(key);
    if (!pending) {
      pending = this.#fetch(client)
        .then((t) => {
          this.#tokens.set(key, t);
          return t.token;
        })
        .finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, pending);
    }
    return pending;
  }

  invalidate(client: OAuthClient): void {
    this.#tokens.delete(cacheKey(client));
  }

  async #fetch(client: OAuthClient): Promise<CachedToken> {
    const form = new URLSearchParams({ grant_type: 'client_credentials' });
    if (client.scope) form.set('scope', client.scope);
    // client_secret_basic, the method RFC 6749 §2.3.1 says every server must support.
    const basic = Buffer.from(`${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`).toString('base64');
    const outcome = await sendHttp({
      url: client.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization: `Basic ${basic}` },
      body: form.toString(),
      timeoutMs: this.opts.timeoutMs,
      allowPrivate: this.opts.allowPrivate,
    });
    if (outcome.kind === 'error') throw new TokenError(`token request failed: ${outcome.error}`);
    const { status, body } = outcome.response;
    if (status < 200 || status >= 300) throw new TokenError(`token endpoint answered ${status}: ${body.slice(0, 200)}`);
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      throw new TokenError('token endpoint did not answer JSON');
    }
    if (typeof parsed.access_token !== 'string' || !parsed.access_token) throw new TokenError('token endpoint answered no access_token');
    const lifetime = typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : 300;
    // Renew a little early so a token never expires between fetch and use.
    const margin = Math.min(30, lifetime / 10);
    return { token: parsed.access_token, expiresAt: Date.now() + (lifetime - margin) * 1000 };
  }
}

export class TokenError extends Error {}

function cacheKey(c: OAuthClient): string {
  return crypto.createHash('sha256').update(JSON.stringify([c.tokenUrl, c.clientId, c.clientSecret, c.scope ?? ''])).digest('base64url');
}
