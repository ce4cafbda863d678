import { z } from 'zod';
import { apiKeyScopeSchema, permissions, roleSchema } from '../auth/roles.ts';

// ---- users and sign-in ---------------------------------------------------------------

export const PASSWORD_MIN = 10;
const password = z.string().min(PASSWORD_MIN, `use at least ${PASSWORD_MIN} characters`).max(1024);
const email = z.string().trim().toLowerCase().pipe(z.email('an email address such as ana@example.com').max(254));

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const userCreateSchema = z.object({ email, password, role: roleSchema });
export type UserCreate = z.infer<typeof userCreateSchema>;

export const userUpdateSchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .refine((v) => v.role !== undefined || v.disabled !== undefined, 'send role and/or disabled');
export type UserUpdate = z.infer<typeof userUpdateSchema>;

export const loginSchema = z.object({ email, password: z.string().min(1).max(1024) });
export const passwordChangeSchema = z.object({ currentPassword: z.string().min(1).max(1024), newPassword: password });
/** An admin setting someone else's password (they forgot it): their sessions end. */
export const passwordResetSchema = z.object({ password });

/** GET /api/v1/auth/me and the answer to a sign-in. */
export const sessionInfoSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), role: z.string() }),
  kind: z.enum(['user', 'apiKey']),
  permissions: z.array(z.enum(permissions)),
  /** Send it back as `X-CSRF-Token` on every POST/PUT/PATCH/DELETE made with the session cookie. */
  csrfToken: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

// ---- API keys -------------------------------------------------------------------------

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  scope: apiKeyScopeSchema,
  /** The first characters of the key, to tell keys apart; never the key. */
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  /** The person the key acts for; null for keys of the installation (made with TRIPLINE_API_KEY). */
  ownerUserId: z.string().nullable(),
  /** False once the owner is disabled or deleted: the key then no longer works. */
  ownerActive: z.boolean(),
  /** The owner's current role (null for keys of the installation): a key never does more than its owner. */
  ownerRole: roleSchema.nullable(),
  /** True when the owner's role takes away some of what the scope grants (the key acts with the lesser). */
  limitedByOwnerRole: z.boolean(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeyCreateSchema = z.object({ name: z.string().trim().min(1).max(100), scope: apiKeyScopeSchema });
/** The creation answer: the only time the key itself is shown. */
export const apiKeyCreatedSchema = apiKeySchema.extend({ key: z.string() });
export type ApiKeyCreated = z.infer<typeof apiKeyCreatedSchema>;

// ---- audit log ------------------------------------------------------------------------

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actorId: z.string().nullable(),
  ip: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** Query of GET /api/v1/audit and /api/v1/audit.csv; `cursor` is the last id seen (keyset). */
export const auditQuerySchema = z.object({
  actor: z.string().max(300).optional(),
  action: z.string().max(100).optional(),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(300).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditChange {
  path: string;
  before: unknown;
  after: unknown;
}

/** The fields an audit entry changed (top-level keys of before/after), for display. */
export function auditChanges(before: unknown, after: unknown): AuditChange[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObj(after) && (before === null || before === undefined)) before = {};
  if (isObj(before) && (after === null || after === undefined)) after = {};
  if (!isObj(before) || !isObj(after)) {
    return JSON.stringify(before ?? null) === JSON.stringify(after ?? null) ? [] : [{ path: '', before: before ?? null, after: after ?? null }];
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .map((k) => ({ path: k, before: before[k] ?? null, after: after[k] ?? null }));
}

// ---- settings (schemas and defaults: shared/src/settings.ts) ----------------------------

/** Body of PUT /api/v1/settings/:key. */
export const settingUpdateSchema = z.object({ value: z.unknown() });
