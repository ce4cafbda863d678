import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * AES-256-GCM for secrets at rest (endpoint signing secrets, OAuth client secrets, mTLS
 * keys, source secrets). Stored form: `v1.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
export class SecretCipher {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('TRIPLINE_SECRET_KEY must be 32 bytes (64 hex characters)');
    this.#key = key;
  }

  encrypt(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  decrypt(stored: string): string {
    const [version, iv, tag, body] = stored.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not an encrypted secret');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** TRIPLINE_SECRET_KEY (64 hex chars), or a key generated once and kept in the data folder. */
export function loadSecretCipher(secretKey: string | undefined, dataDir: string): SecretCipher {
  if (secretKey) {
    if (!/^[0-9a-fA-F]{64}$/.test(secretKey)) throw new Error('TRIPLINE_SECRET_KEY must be 64 hex characters (32 bytes)');
    return new SecretCipher(Buffer.from(secretKey, 'hex'));
  }
  const file = path.join(dataDir, 'secret.key');
  fs.mkdirSync(dataDir, { recursive: true });
  if (!fs.existsSync(file)) {
    try {
      fs.writeFileSync(file, crypto.randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch {
      /* another process created it first */
    }
  }
  return new SecretCipher(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex'));
}
