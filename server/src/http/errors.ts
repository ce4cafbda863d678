import type { ApiErrorDetail } from '@tripline/shared';
import type { ErrorRequestHandler } from 'express';
import { z } from 'zod';

/** An error meant for the caller: status, stable code, message and optional field details. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ApiErrorDetail[] | undefined;
  constructor(status: number, code: string, message: string, details?: ApiErrorDetail[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `${what} "${id}" does not exist`);
export const conflict = (message: string, details?: ApiErrorDetail[]) => new HttpError(409, 'conflict', message, details);
export const invalid = (message: string, details?: ApiErrorDetail[]) => new HttpError(422, 'validation_failed', message, details);

export function zodDetails(error: z.ZodError, prefix: (string | number)[] = []): ApiErrorDetail[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join('.') || '(root)',
    message: issue.message,
  }));
}

/** Parses with a schema, turning a failure into a 422 that names each field. */
export function parseOr422<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const details = zodDetails(result.error);
    throw invalid(`${what} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, details);
  }
  return result.data;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** The one place errors become HTTP responses. Unknown errors are logged and answered 500. */
export const errorHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  const requestId = String(req.id ?? '');
  const send = (status: number, code: string, message: string, details?: ApiErrorDetail[]) => {
    if (res.headersSent) return;
    res.status(status).json({ error: { code, message, details, requestId } });
  };
  if (error instanceof HttpError) return send(error.status, error.code, error.message, error.details);
  if (error instanceof z.ZodError) return send(422, 'validation_failed', 'request is invalid', zodDetails(error));
  const parserError = error as BodyParserError;
  if (parserError.type === 'entity.parse.failed') return send(400, 'malformed_json', 'request body is not valid JSON');
  if (parserError.type === 'entity.too.large') return send(413, 'payload_too_large', 'request body exceeds the size limit');
  if (parserError.type === 'encoding.unsupported' || parserError.type === 'charset.unsupported') {
    return send(415, 'unsupported_encoding', 'request body encoding is not supported');
  }
  if (isDatabaseUnavailable(error)) {
    res.setHeader('Retry-After', '5');
    return send(503, 'database_unavailable', 'the database is unavailable; retry shortly');
  }
  req.log?.error({ err: error }, 'unhandled error');
  send(500, 'internal_error', 'something went wrong; the request id identifies it in the logs');
};

const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08006', '08001', '08003']);

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED/i.test(e.message ?? '');
}
