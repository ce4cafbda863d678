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
  input: { name: string; value: string; description?: string; createdBy: string },
): Promise<{ credential: Credential; replaced: boolean }> {
  return upsertCredential(db, {
    name: input.name,
    description: input.description ?? null,
    valueEncrypted: cipher.encrypt(input.value),
    hint: hintOf(input.value),
    createdBy: input.createdBy,
  });
}

/** The decrypted value, for the step that sends it; undefined when no such credential exists. */
export async function credentialValue(db: Queryable, cipher: SecretCipher, name: string): Promise<string | undefined> {
  const encrypted = await encryptedCredentialValue(db, name);
  return encrypted === undefined ? undefined : cipher.decrypt(encrypted);
}
