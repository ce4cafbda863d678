import type { ApiKeyScope, Permission, PrincipalRole, UserRole } from '@tripline/shared';
import { can, keyPermissions, permissionsOf } from '@tripline/shared';

/**
 * Who is calling: a signed-in person (session cookie), an API key, a partner portal link,
 * or nobody. Only `user` principals come from a cookie, so only they need a CSRF token on
 * writes. A `portal` principal has no role: `authorize` refuses it everywhere, and only the
 * portal routes (server/src/portal/) accept it, for the link's endpoints.
 */
export type Principal =
  | { kind: 'user'; id: string; email: string; role: UserRole; sessionId: string; csrfToken: string }
  | { kind: 'apiKey'; id: string; name: string; role: PrincipalRole; scope: ApiKeyScope; ownerRole: UserRole | null }
  | { kind: 'portal'; id: string; name: string | null; endpointIds: string[]; expiresAt: Date; rateLimitPerMinute: number; hitsThisMinute: number }
  | { kind: 'anonymous' };

export function allowed(principal: Principal, permission: Permission): boolean {
  if (principal.kind === 'apiKey') return permissionsOfPrincipal(principal).includes(permission);
  return principal.kind === 'user' && can(principal.role, permission);
}

/** A person's role's permissions; a key's are the lesser of its scope and its owner's current role. */
export function permissionsOfPrincipal(principal: Extract<Principal, { kind: 'user' | 'apiKey' }>): Permission[] {
  return principal.kind === 'apiKey' ? keyPermissions(principal.scope, principal.ownerRole) : permissionsOf(principal.role);
}

/** A short label for audit entries and logs. */
export function actorLabel(principal: Principal): string {
  if (principal.kind === 'user') return principal.email;
  if (principal.kind === 'apiKey') return `api-key:${principal.name}`;
  if (principal.kind === 'portal') return `portal-link:${principal.name ?? principal.id}`;
  return 'anonymous';
}

declare module 'express-serve-static-core' {
  interface Request {
    principal: Principal;
  }
}
