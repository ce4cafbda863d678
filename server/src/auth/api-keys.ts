import { scopeRole } from '@tripline/shared';
import { findLiveApiKeyByHash, touchApiKey } from '../db/accounts.ts';
import type { Pool } from '../db/pool.ts';
import type { Authenticator } from './middleware.ts';
import type { Principal } from './principal.ts';
import { randomToken, sha256 } from './tokens.ts';
import { bearerToken } from './middleware.ts';

export const API_KEY_PREFIX = 'tl_';
const KEY_SHAPE = /^tl_[A-Za-z0-9_-]{43}$/;
/** last_used_at is written at most once a minute per key, not on every request. */
const TOUCH_EVERY_MS = 60_000;
/**
 * How long this process trusts a key it looked up, so a client sending events does not cost
 * a database round trip per request. Revoking a key, or changing its owner's role, disabling
 * or deleting them, clears the cache of the process that did it at once (forgetApiKeys); another API process
 * sees the change within this time.
 */
export const API_KEY_CACHE_MS = 2_000;
/** More live keys than this in use at once is not a real workload: start over rather than grow. */
const CACHE_MAX = 10_000;

type ApiKeyPrincipal = Extract<Principal, { kind: 'apiKey' }>;
/** By SHA-256 of the presented key; only live keys (an unknown key is asked about every time). */
const cache = new Map<string, { principal: ApiKeyPrincipal; until: number }>();
/** Bumped by forgetApiKeys, so a lookup that raced a revocation does not store what it read. */
let generation = 0;

/**
 * Call after the transaction that revokes a key, or disables or deletes a user, commits: the
 * next request with any of their keys asks the database again.
 */
export function forgetApiKeys(): void {
  generation++;
  cache.clear();
}

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
    const hash = sha256(token);
    const now = Date.now();
    const hit = cache.get(hash);
    if (hit && hit.until > now) return { ...hit.principal };
    const asked = generation;
    // A key acts for its owner: once the owner is disabled or deleted, it stops at once.
    const row = await findLiveApiKeyByHash(pool, hash, TOUCH_EVERY_MS);
    if (!row) {
      cache.delete(hash);
      return undefined;
    }
    if (row.stale) await touchApiKey(pool, row.id);
    const principal: ApiKeyPrincipal = { kind: 'apiKey', id: row.id, name: row.name, role: scopeRole[row.scope], scope: row.scope, ownerRole: row.owner_role };
    if (asked === generation) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(hash, { principal, until: now + API_KEY_CACHE_MS });
    }
    return { ...principal };
  };
}
