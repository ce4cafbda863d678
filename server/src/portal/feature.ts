import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { portalLinksRouter } from './links-routes.ts';
import { portalPageRouter } from './page.ts';
import { portalAuthenticator } from './portal-auth.ts';
import { portalApiRouter } from './portal-routes.ts';

/**
 * The partner portal: links (admin API), the portal API a link's token opens (only its
 * endpoints), and the page at the link's url (no Tripline sign-in).
 */
export function portalFeature(ctx: AppContext): Feature {
  return {
    name: 'portal',
    authenticators: [portalAuthenticator(ctx.pool)],
    apiRouters: [portalLinksRouter(ctx), portalApiRouter(ctx)],
    rootRouters: [portalPageRouter(ctx)],
  };
}
