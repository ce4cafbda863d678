import fs from 'node:fs';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import { authenticate, requireCsrf, type Authenticator } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { errorHandler, HttpError } from './errors.ts';
import { isPlainJson, jsonBody } from './json-body.ts';
import { openApiDocument } from './openapi.ts';
import { requestLogger } from './request-log.ts';
import { securityHeaders } from './security-headers.ts';
import { eventTypesRouter } from './routes/event-types.ts';
import { healthRouter } from './routes/health.ts';

export interface AppParts {
  /** Routers mounted under /api/v1, after authentication. */
  apiRouters: Router[];
  /**
   * API routers on the hot path (event ingest), mounted under /api/v1 first, with the same
   * entry middlewares as apiRouters: a request to one of their routes skips the health,
   * OpenAPI and public routers and every API router ahead of it. Plain paths only (no
   * `:params`): a request reaches them through an exact method and path check.
   */
  hotRouters?: Router[];
  /** Routers mounted before authentication and JSON parsing (they read raw bodies or sign people in). */
  publicRouters?: Router[];
  /** Routers mounted at the root, outside the API (e.g. /metrics). */
  rootRouters?: Router[];
  authenticators?: Authenticator[];
  isReady: () => boolean;
}

/** The largest JSON body the API reads (1 MB); a longer one is answered 413. */
export const JSON_LIMIT_BYTES = 1024 * 1024;

/** Builds the Express app without listening, so tests can mount it on any port. */
export function createApp(ctx: AppContext, parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLogger(app, ctx.log, (url) => url === '/healthz' || url.startsWith('/assets/')));
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: { 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null },
      },
      strictTransportSecurity: false,
    }),
  );
  const apiEntry: RequestHandler[] = [requireJsonBody, jsonBody(JSON_LIMIT_BYTES), authenticate(ctx, parts.authenticators), requireCsrf];
  if (parts.hotRouters?.length) app.use('/api/v1', hotPath(parts.hotRouters, apiEntry));
  app.use(healthRouter(ctx, parts.isReady));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument()));
  for (const router of parts.publicRouters ?? []) app.use('/api/v1', router);

  const api = express.Router();
  api.use(...apiEntry);
  api.use(eventTypesRouter());
  for (const router of parts.apiRouters) api.use(router);
  api.use((req) => {
    throw new HttpError(404, 'not_found', `no route ${req.method} ${req.baseUrl}${req.path}`);
  });
  app.use('/api/v1', api);
  app.use('/api', (req) => {
    throw new HttpError(404, 'not_found', `no route ${req.method} ${req.originalUrl}; the API lives under /api/v1`);
  });

  for (const router of parts.rootRouters ?? []) app.use(router);
  serveWebUi(app, ctx.config.webDist);
  app.use(errorHandler);
  return app;
}

/**
 * The hot routers behind a gate: a request whose method and path are one of their routes
 * goes through the API's entry middlewares and on to them; any other leaves at once
 * (`next('router')`) for the rest of the app. Express matches paths case-insensitively and
 * with an optional trailing slash, and so does the gate.
 */
function hotPath(routers: Router[], entry: RequestHandler[]): Router {
  const routes = new Set<string>();
  for (const router of routers) {
    for (const layer of router.stack) {
      const route = layer.route as { path: unknown; methods?: Record<string, boolean> } | undefined;
      if (!route || typeof route.path !== 'string' || /[:*(]/.test(route.path)) throw new Error(`hot routers take plain paths only, not ${String(route?.path ?? 'middleware')}`);
      for (const method of Object.keys(route.methods ?? {})) routes.add(`${method.toUpperCase()} ${route.path.toLowerCase()}`);
    }
  }
  const hot = express.Router();
  hot.use((req, res, next) => {
    const path = req.path.length > 1 && req.path.endsWith('/') ? req.path.slice(0, -1) : req.path;
    if (!routes.has(`${req.method} ${path.toLowerCase()}`)) return next('router');
    inSeries(entry, 0, req, res, next);
  });
  hot.use(...routers);
  return hot;
}

/**
 * Runs middlewares one after the other as a router would (a throw or a rejected promise goes
 * to `done` as the error), without a router layer per middleware: on the hot path, the
 * router's matching and bookkeeping for each cost more than most of the middlewares do.
 */
function inSeries(handlers: RequestHandler[], i: number, req: Request, res: Response, done: NextFunction): void {
  if (i === handlers.length) return done();
  let ran: unknown;
  try {
    ran = handlers[i]!(req, res, (err?: unknown) => (!err ? inSeries(handlers, i + 1, req, res, done) : done(err)));
  } catch (error) {
    return done(error);
  }
  if (ran instanceof Promise) ran.catch(done);
}

/** Writes with a body must say it is JSON: 415 otherwise, instead of silently parsing nothing. */
const WRITES = new Set(['POST', 'PUT', 'PATCH']);
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  // isPlainJson first: the common header answered without type-is parsing it.
  if (hasBody && WRITES.has(req.method) && !isPlainJson(req.headers['content-type']) && !req.is('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'send the body as JSON with "Content-Type: application/json"');
  }
  next();
};

/** The built web UI, with index.html for every deep link (/workflows/:id, /runs/:id …). */
function serveWebUi(app: express.Express, dist: string) {
  const index = path.join(dist, 'index.html');
  app.use(express.static(dist, { index: false, maxAge: '1h', setHeaders: noCacheHtml }));
  app.get(/^\/(?!api\/|healthz|metrics).*/, (_req, res) => {
    if (!fs.existsSync(index)) {
      return void res.status(503).type('text').send('The web UI is not built: run "npm run build -w web" (npm start does it for you).');
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

function noCacheHtml(res: express.Response, file: string) {
  if (file.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}
