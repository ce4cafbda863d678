import crypto from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString('base64url');
}

/** Tokens are stored as their SHA-256: they are long and random, so no salt or slow hash is needed. */
export function sha256(value: string): string {
  return crypto.createHash('sha256').update(value).digest('hex');
}

/** A short prefixed id for rows: `usr_…`, `key_…`, `ses_…`. */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(12).toString('base64url')}`;
}

/** A readable random password for the first admin when none is configured. */
export function generatePassword(): string {
  return crypto.randomBytes(18).toString('base64url');
}
