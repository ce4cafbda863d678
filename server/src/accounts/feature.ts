import { apiKeyAuthenticator } from '../auth/api-keys.ts';
import { sessionAuthenticator } from '../auth/sessions.ts';
import { auditRouter } from '../audit/routes.ts';
import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { apiKeysRouter } from './api-keys-routes.ts';
import { authRouter } from './auth-routes.ts';
import { seedFirstAdmin } from './seed.ts';
import { settingsRouter } from './settings-routes.ts';
import { usersRouter } from './users-routes.ts';

/**
 * Accounts: people (sessions, passwords), API keys, the audit log reader and settings.
 * Its routers sit behind `authenticate` like every other; sign-in routes are marked
 * `allowAnonymous` instead of being authorized.
 */
export function accountsFeature(ctx: AppContext): Feature {
  return {
    name: 'accounts',
    authenticators: [apiKeyAuthenticator(ctx.pool), sessionAuthenticator(ctx.pool)],
    apiRouters: [authRouter(ctx), usersRouter(ctx), apiKeysRouter(ctx), auditRouter(ctx), settingsRouter(ctx)],
    seed: () => seedFirstAdmin(ctx),
  };
}
