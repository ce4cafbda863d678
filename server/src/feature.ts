import type { Router } from 'express';
import type { Authenticator } from './auth/middleware.ts';

/** One area of the product plugs into the process through this shape. */
export interface Feature {
  name: string;
  apiRouters?: Router[];
  /** API routers on the hot path (event ingest): see AppParts.hotRouters. */
  hotRouters?: Router[];
  publicRouters?: Router[];
  /** Routers mounted at the server root, outside /api/v1 (e.g. /metrics). */
  rootRouters?: Router[];
  authenticators?: Authenticator[];
  startWorkers?: () => Promise<void>;
  /** Drains what startWorkers started; called at shutdown before the queue and the pool close. */
  stopWorkers?: () => Promise<void>;
  seed?: () => Promise<void>;
}
