import { z } from 'zod';

/** The roles a person (a user account) can have. */
export const roles = ['admin', 'editor', 'marketer', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type UserRole = z.infer<typeof roleSchema>;

/**
 * What a caller acts as: a user role, or `ingest`, the pseudo-role of an API key with the
 * ingest scope (it may send events and nothing else). No user can have `ingest`.
 */
export type PrincipalRole = UserRole | 'ingest';

/** What each capability is; routes and UI both check these, never role names. */
export const permissions = [
  'events:ingest',
  'events:read',
  'workflows:read',
  'workflows:write',
  'runs:read',
  'runs:write',
  'endpoints:read',
  'endpoints:write',
  'deliveries:replay',
  'campaigns:read',
  'campaigns:write',
  'audit:read',
  'users:manage',
  'apikeys:manage',
  'settings:read',
  'settings:write',
  'sources:manage',
  /** Create and revoke partner portal links (tokens scoped to some endpoints). */
  'portal:manage',
  'credentials:read',
  'credentials:write',
  /** Read the Prometheus metrics at /metrics (signed in or with an API key; scrapers may also use a token or the allow-list). */
  'metrics:read',
] as const;
export type Permission = (typeof permissions)[number];

const read: Permission[] = ['events:read', 'workflows:read', 'runs:read', 'endpoints:read', 'campaigns:read', 'settings:read', 'credentials:read'];

export const rolePermissions: Record<PrincipalRole, ReadonlySet<Permission>> = {
  admin: new Set(permissions),
  editor: new Set([...read, 'credentials:write', 'workflows:write', 'runs:write', 'endpoints:write', 'deliveries:replay', 'events:ingest', 'portal:manage']),
  // Marketers build and publish workflows (PRODUCT.md: their core job), limited to the step
  // types the `marketerStepTypes` setting allows; endpoints, credentials and replays stay with editors.
  marketer: new Set([...read, 'campaigns:write', 'workflows:write']),
  viewer: new Set([...read, 'audit:read']),
  ingest: new Set(['events:ingest']),
};

export function can(role: PrincipalRole, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}

export function permissionsOf(role: PrincipalRole): Permission[] {
  return permissions.filter((p) => rolePermissions[role].has(p));
}

/** API key scopes and the role each one acts as. */
export const apiKeyScopes = ['ingest', 'read', 'admin'] as const;
export const apiKeyScopeSchema = z.enum(apiKeyScopes);
export type ApiKeyScope = z.infer<typeof apiKeyScopeSchema>;
export const scopeRole: Record<ApiKeyScope, PrincipalRole> = { ingest: 'ingest', read: 'viewer', admin: 'admin' };

/** The roles holding a permission, least powerful first ("editor or admin"), for "who may do this" messages. */
export function rolesWith(permission: Permission): UserRole[] {
  return roles.filter((r) => rolePermissions[r].has(permission)).reverse();
}

/**
 * What an API key may do: the lesser of its scope and its owner's current role (the
 * permissions both grant), so demoting a person limits the keys they made at once. A key of
 * the installation (no owner: TRIPLINE_API_KEY made it) acts with its scope alone.
 */
export function keyPermissions(scope: ApiKeyScope, ownerRole: UserRole | null): Permission[] {
  return permissions.filter((p) => can(scopeRole[scope], p) && (ownerRole === null || can(ownerRole, p)));
}

/** Whether the owner's role takes away something the key's scope grants. */
export function keyLimitedByOwner(scope: ApiKeyScope, ownerRole: UserRole | null): boolean {
  return ownerRole !== null && permissionsOf(scopeRole[scope]).some((p) => !can(ownerRole, p));
}
