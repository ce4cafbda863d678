import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { apiErrorSchema } from '@tripline/shared';
import { z } from 'zod';

type Method = 'get' | 'post' | 'put' | 'delete' | 'patch';

export interface RouteDoc {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  /** Query parameters, documented when the schema is an object (one parameter per key). */
  query?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  /** The media type of a success answer that is not JSON (a CSV export, a stream). */
  produces?: string;
  auth?: boolean;
}

const routeDocs: RouteDoc[] = [];

/**
 * Route modules describe their routes here, with the same schemas they validate with. A
 * route described again (a router built once more, as every test's app does) replaces its entry.
 */
export function describeRoute(doc: RouteDoc): void {
  const same = routeDocs.findIndex((d) => d.method === doc.method && d.path === doc.path);
  if (same >= 0) routeDocs[same] = doc;
  else routeDocs.push(doc);
}

function successContent(doc: RouteDoc) {
  if (doc.response) return { 'application/json': { schema: doc.response } };
  if (doc.produces) return { [doc.produces]: { schema: z.string() } };
  return undefined;
}

export function openApiDocument() {
  const paths: ZodOpenApiPathsObject = {};
  for (const doc of routeDocs) {
    const openApiPath = doc.path.replace(/:(\w+)/g, '{$1}');
    const params = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1]!, in: 'path' as const, required: true, schema: { type: 'string' as const } }));
    const status = String(doc.status ?? 200);
    paths[openApiPath] = {
      ...paths[openApiPath],
      [doc.method]: {
        summary: doc.summary,
        tags: [doc.tag],
        parameters: params.length ? params : undefined,
        requestParams: doc.query instanceof z.ZodObject ? { query: doc.query } : undefined,
        security: doc.auth === false ? [] : undefined,
        requestBody: doc.body ? { content: { 'application/json': { schema: doc.body } } } : undefined,
        responses: {
          [status]: { description: 'OK', content: successContent(doc) },
          default: { description: 'Error', content: { 'application/json': { schema: apiErrorSchema } } },
        },
      },
    };
  }
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'Tripline API', version: '1.0.0', description: 'Workflow automation for commerce operations.' },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key' },
        session: { type: 'apiKey', in: 'cookie', name: 'tripline_session' },
      },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  });
}
