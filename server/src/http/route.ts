import type { Permission } from '@tripline/shared';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import { allowAnonymous, authorize, requirePortal, requireSignedIn } from '../auth/middleware.ts';
import { parseOr422 } from './errors.ts';
import { describeRoute, type RouteDoc } from './openapi.ts';

type Parsed<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * Who may call a route: a permission, anyone signed in, a live partner portal token (and
 * nothing else), or anyone (with the reason why).
 */
export type RouteAccessSpec = Permission | 'signedIn' | 'portal' | { public: string };

export interface RouteSpec<B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: RouteDoc['method'];
  /** Relative to the router's mount point, as Express sees it: `/campaigns/:id`. */
  path: string;
  access: RouteAccessSpec;
  summary: string;
  tag: string;
  body?: B;
  /** A request body the handler parses itself (richer per-item errors): documented, not parsed here. */
  bodyDoc?: z.ZodType;
  query?: Q;
  response?: z.ZodType;
  /** The status of a successful answer (default 200, or 204 when the handler returns nothing). */
  status?: number;
  /**
   * Middleware run after the access guard and before parsing: a raw body parser for a route
   * that verifies a signature over the exact bytes, a check of its own (the metrics scrape).
   */
  use?: RequestHandler[];
  /** The media type of a success answer that is not JSON (text/csv, text/event-stream …), for the document. */
  produces?: string;
}

export interface RouteInput<B, Q> {
  req: Request;
  res: Response;
  body: Parsed<B>;
  query: Parsed<Q>;
  params: Record<string, string>;
}

function guard(access: RouteAccessSpec) {
  if (access === 'signedIn') return requireSignedIn();
  if (access === 'portal') return requirePortal();
  if (typeof access === 'object') return allowAnonymous(access.public);
  return authorize(access);
}

/**
 * Declares routes once: each call registers the Express handler (guarded by its access,
 * body and query parsed with its schemas, 422 naming the field) and the OpenAPI entry from
 * the same schemas, so the document cannot drift from what is mounted. A handler returns
 * the response body; it may also answer through `res` itself (streams, redirects). `mount`:
 * where the router is mounted, for the document ('' for the root: /healthz, /metrics).
 */
export function declareRoutes(router: Router, mount = '/api/v1') {
  return function route<B extends z.ZodType | undefined = undefined, Q extends z.ZodType | undefined = undefined>(
    spec: RouteSpec<B, Q>,
    handler: (input: RouteInput<B, Q>) => unknown,
  ): void {
    describeRoute({
      method: spec.method,
      path: mount + spec.path,
      summary: spec.summary,
      tag: spec.tag,
      body: spec.body ?? spec.bodyDoc,
      query: spec.query,
      response: spec.response,
      status: spec.status,
      produces: spec.produces,
      auth: typeof spec.access === 'object' ? false : undefined,
    });
    router[spec.method](spec.path, guard(spec.access), ...(spec.use ?? []), async (req, res) => {
      const body = (spec.body ? parseOr422(spec.body, req.body ?? {}) : undefined) as Parsed<B>;
      const query = (spec.query ? parseOr422(spec.query, req.query, 'query') : undefined) as Parsed<Q>;
      const params = Object.fromEntries(Object.entries(req.params).map(([k, v]) => [k, String(v)]));
      const result = await handler({ req, res, body, query, params });
      if (res.headersSent) return;
      if (result === undefined) res.status(spec.status ?? 204).end();
      else res.status(spec.status ?? 200).json(result);
    });
  };
}

/**
 * Answers JSON as one string write, for the hot path: res.json would also hash the body for
 * an ETag (a SHA-1 per request, and the body then goes out as a second buffer), which no
 * client can use on the answer to a POST. Same status, Content-Type and body otherwise.
 */
export function answerJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
