import crypto from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): the secret is `whsec_`
 * followed by base64 key bytes; the signature is base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>` with the decoded key, sent as `v1,<sig>`.
 * Several signatures are separated by spaces, which is how a rotation stays gapless:
 * receivers accept a message if any signature verifies with their secret.
 */
export const SECRET_PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 24 random bytes. */
export function generateSigningSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(24).toString('base64');
}

export function isSigningSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

// A KeyObject per secret: building one from raw bytes on every signature showed up in
// delivery profiles. Bounded, and the secrets are the endpoints' own (few).
const keys = new Map<string, crypto.KeyObject>();
function keyFor(secret: string): crypto.KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 1000) keys.clear();
    key = crypto.createSecretKey(Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64'));
    keys.set(secret, key);
  }
  return key;
}

export function signPayload(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const mac = crypto.createHmac('sha256', keyFor(secret)).update(`${msgId}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${mac}`;
}

/** The `webhook-signature` header value: one `v1,` signature per secret still in use. */
export function signatureHeader(secrets: string[], msgId: string, timestampSeconds: number, body: string): string {
  return secrets.map((s) => signPayload(s, msgId, timestampSeconds, body)).join(' ');
}
