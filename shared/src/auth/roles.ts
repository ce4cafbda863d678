import { z } from 'zod';

export const roles = ['admin', 'editor', 'marketer', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type UserRole = z.infer<typeof roleSchema>;

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
] as const;
export type Permission = (typeof permissions)[number];

const read: Permission[] = ['events:read', 'workflows:read', 'runs:read', 'endpoints:read', 'campaigns:read', 'settings:read'];

export const rolePermissions: Record<UserRole, ReadonlySet<Permission>> = {
  admin: new Set(permissions),
  editor: new Set([...read, 'workflows:write', 'runs:write', 'endpoints:write', 'deliveries:replay', 'events:ingest']),
  marketer: new Set([...read, 'campaigns:write']),
  viewer: new Set([...read, 'audit:read']),
};

export function can(role: UserRole, permission: Permission): boolean {
  return rolePermissions[role].has(permission);
}
