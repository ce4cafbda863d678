import type { AppContext } from '../context.ts';
import type { Feature } from '../feature.ts';
import { credentialsRouter } from './routes.ts';

/** Encrypted credentials that HTTP request steps send by name. */
export function credentialsFeature(ctx: AppContext): Feature {
  return { name: 'credentials', apiRouters: [credentialsRouter(ctx)] };
}
