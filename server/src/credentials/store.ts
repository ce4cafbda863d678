import type { Credential } from '@tripline/shared';
import { encryptedCredentialValue, upsertCredential } from '../db/credentials.ts';
import type { Queryable } from '../db/queryable.ts';
import type { SecretCipher } from '../secrets/cipher.ts';

/** Credentials in and out of encryption: values are stored encrypted, with a hint that reveals nothing. */

/** What a hint is for those who may not write credentials: that a value is set, nothing of it. */
export const HIDDEN_HINT = '…';

/**
 * Enough for the people who manage a value to recognise it (the last 4 characters, as a
 * provider's dashboard shows them) without revealing it: values shorter than 16 characters,
 * where 4 characters are a real part of the secret, show nothing. Shown only to holders of
 * credentials:write (see routes.ts).
 */
export function hintOf(value: string): string {
  return value.length >= 16 ? `…${value.slice(-4)}` : HIDDEN_HINT;
}

/** Creates or replaces; answers the stored credential and whether it existed before. */
export function saveCredential(
  db: Queryable,
  cipher: SecretCipher,
  input: { name: string; value: string; description?: string; allowedOrigins: string[]; createdBy: string },
): Promise<{ credential: Credential; replaced: boolean; before: Credential | undefined }> {
  return upsertCredential(db, {
    name: input.name,
    description: input.description ?? null,
    valueEncrypted: cipher.encrypt(input.value),
    hint: hintOf(input.value),
    allowedOrigins: input.allowedOrigins,
    createdBy: input.createdBy,
  });
}

/** The decrypted value and where it may go, for the step that sends it; undefined when no such credential exists. */
export async function credentialForSending(db: Queryable, cipher: SecretCipher, name: string): Promise<{ value: string; allowedOrigins: string[] } | undefined> {
  const stored = await encryptedCredentialValue(db, name);
  return stored === undefined ? undefined : { value: cipher.decrypt(stored.valueEncrypted), allowedOrigins: stored.allowedOrigins };
}

export const REDACTED = '[redacted]';

/**
 * The strings a response could echo the credential as: the value, and its token when the
 * value is "<scheme> <token>" (a server echoing "Bearer sk_…" back may drop the scheme).
 */
function secretForms(value: string): string[] {
  const token = /^[A-Za-z][\w-]* (.+)$/s.exec(value)?.[1];
  return [value, ...(token && token.length >= 8 ? [token] : [])].filter((s) => s.length >= 4);
}

/**
 * A copy of `data` (a step's response, its headers and parsed body) with every occurrence of
 * the credential replaced by "[redacted]", in strings and in object keys, before anything of
 * it is stored in run history (a response that echoes request headers would otherwise keep
 * the value where viewers read it).
 */
export function redactSecret<T>(data: T, value: string): T {
  const forms = secretForms(value);
  const clean = (s: string) => forms.reduce((out, form) => out.split(form).join(REDACTED), s);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return clean(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), walk(x)]));
    return v;
  };
  return walk(data) as T;
}
