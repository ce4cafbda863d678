import type { ApiKeyScope, Permission, PrincipalRole, UserRole } from '@tripline/shared';
import { can } from '@tripline/shared';

/**
 * Who is calling: a signed-in person (session cookie), an API key, or nobody.
 * Only `user` principals come from a cookie, so only they need a CSRF token on writes.
 */
export type Principal =
  | { kind: 'user'; id: string; email: string; role: UserRole; sessionId: string; csrfToken: string }
  | { kind: 'apiKey'; id: string; name: string; role: PrincipalRole; scope: ApiKeyScope }
  | { kind: 'anonymous' };

export function allowed(principal: Principal, permission: Permission): boolean {
  return principal.kind !== 'anonymous' && can(principal.role, permission);
}

/** A short label for audit entries and logs. */
export function actorLabel(principal: Principal): string {
  if (principal.kind === 'user') return principal.email;
  if (principal.kind === 'apiKey') return `api-key:${principal.name}`;
  return 'anonymous';
}

declare module 'express-serve-static-core' {
  interface Request {
    principal: Principal;
  }
}
