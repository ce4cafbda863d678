import { scopeRole } from '@tripline/shared';
import { findLiveApiKeyByHash, touchApiKey } from '../db/accounts.ts';
import type { Pool } from '../db/pool.ts';
import type { Authenticator } from './middleware.ts';
import { randomToken, sha256 } from './tokens.ts';
import { bearerToken } from './middleware.ts';

export const API_KEY_PREFIX = 'tl_';
const KEY_SHAPE = /^tl_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most once a minute per key, not on every request. */
const TOUCH_EVERY_MS = 60_000;

/** A new key: shown to its creator once; only `hash` is stored. */
export function newApiKey(): { key: string; hash: string; prefix: string } {
  const key = API_KEY_PREFIX + randomToken();
  return { key, hash: sha256(key), prefix: key.slice(0, 10) };
}

/** `Authorization: Bearer tl_…` → the key's principal, while it is not revoked. */
export function apiKeyAuthenticator(pool: Pool): Authenticator {
  return async (header) => {
    const token = bearerToken(header);
    if (!token || !KEY_SHAPE.test(token)) return undefined;
    // A key acts for its owner: once the owner is disabled or deleted, it stops at once.
    const row = await findLiveApiKeyByHash(pool, sha256(token), TOUCH_EVERY_MS);
    if (!row) return undefined;
    if (row.stale) await touchApiKey(pool, row.id);
    return { kind: 'apiKey', id: row.id, name: row.name, role: scopeRole[row.scope], scope: row.scope };
  };
}
