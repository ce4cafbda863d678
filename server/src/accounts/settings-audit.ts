import crypto from 'node:crypto';

/**
 * A setting's value as the audit log keeps it. An uploaded logo (a data: URL of up to 64 KB)
 * is recorded by its type, size and hash: the log says that the logo changed and which one,
 * without every audit row and CSV export carrying the image.
 */
export function settingForAudit(key: string, value: unknown): unknown {
  if (key !== 'portalBranding' || typeof value !== 'object' || value === null) return value;
  const v = value as { logo?: unknown };
  if (typeof v.logo !== 'string') return value;
  const m = /^data:(image\/[\w+.-]+);base64,(.*)$/.exec(v.logo);
  if (!m) return value;
  const bytes = Buffer.from(m[2]!, 'base64');
  const hash = crypto.createHash('sha256').update(bytes).digest('hex').slice(0, 16);
  return { ...v, logo: `${m[1]}, ${bytes.length} bytes, sha256 ${hash}…` };
}
