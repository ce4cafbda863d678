import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { authenticate, requireCsrf, type Authenticator } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { errorHandler, HttpError } from './errors.ts';
import { openApiDocument } from './openapi.ts';
import { eventTypesRouter } from './routes/event-types.ts';
import { healthRouter } from './routes/health.ts';

export interface AppParts {
  /** Routers mounted under /api/v1, after authentication. */
  apiRouters: Router[];
  /** Routers mounted before authentication and JSON parsing (they read raw bodies or sign people in). */
  publicRouters?: Router[];
  /** Routers mounted at the root, outside the API (e.g. /metrics). */
  rootRouters?: Router[];
  authenticators?: Authenticator[];
  isReady: () => boolean;
}

export const JSON_LIMIT = '1mb';

/** Builds the Express app without listening, so tests can mount it on any port. */
export function createApp(ctx: AppContext, parts: AppParts): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && /^[\w-]{1,100}$/.test(incoming) ? incoming : crypto.randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url?.startsWith('/assets/') === true },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug'),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { 'img-src': ["'self'", 'data:'], 'style-src': ["'self'", "'unsafe-inline'"], 'upgrade-insecure-requests': null },
      },
      strictTransportSecurity: false,
    }),
  );
  app.use(healthRouter(ctx, parts.isReady));
  app.get('/api/openapi.json', (_req, res) => void res.json(openApiDocument()));
  for (const router of parts.publicRouters ?? []) app.use('/api/v1', router);

  const api = express.Router();
  api.use(requireJsonBody);
  api.use(express.json({ limit: JSON_LIMIT, strict: true }));
  api.use(authenticate(ctx, parts.authenticators));
  api.use(requireCsrf);
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

/** Writes with a body must say it is JSON: 415 otherwise, instead of silently parsing nothing. */
const requireJsonBody: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && ['POST', 'PUT', 'PATCH'].includes(req.method) && !req.is('application/json')) {
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
