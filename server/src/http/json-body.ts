import express, { type RequestHandler } from 'express';

const PLAIN_JSON = /^application\/json\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

/** `Content-Type: application/json`, bare or with charset=utf-8: the type nearly every client sends. */
export const isPlainJson = (type: string | undefined): boolean => type !== undefined && PLAIN_JSON.test(type);

/** A body-parser style error: errorHandler maps it by `type`, as it does express.json's own. */
const parseFailed = () => Object.assign(new SyntaxError('request body is not valid JSON'), { type: 'entity.parse.failed', status: 400, expose: true });

/**
 * express.json({ strict: true, limit }), with a lean path for the common request: a plain
 * `application/json` (UTF-8) body with a Content-Length within the limit and no
 * Content-Encoding. That one is read into a buffer and parsed directly, skipping
 * body-parser's type matching, charset decoder (iconv-lite) and raw-body stream plumbing:
 * about 5 % of Node's time per ingest request. Everything else (compressed or chunked
 * bodies, other charsets, an over-long Content-Length, no body) goes to express.json, so
 * what is accepted and every error are the same either way.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const full = express.json({ limit: limitBytes, strict: true });
  return (req, res, next) => {
    const length = Number(req.headers['content-length']);
    const type = req.headers['content-type'];
    if (!(length > 0 && length <= limitBytes) || req.headers['content-encoding'] !== undefined || !isPlainJson(type) || req.readableEnded) {
      return full(req, res, next);
    }
    readJson(req, length, next);
  };
}

const READ = Symbol('json body read');

interface Reading {
  chunks: Buffer[];
  received: number;
  length: number;
  next: (err?: unknown) => void;
}
type ReadingRequest = express.Request & { [READ]?: Reading };

// Listeners are module-level functions with the request as `this` (no closures per request:
// under tsx each named closure costs a defineProperty for its name).
function readJson(req: ReadingRequest, length: number, next: (err?: unknown) => void) {
  req[READ] = { chunks: [], received: 0, length, next };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('aborted', onAborted);
  req.on('error', onError);
}

function onData(this: ReadingRequest, chunk: Buffer) {
  const r = this[READ]!;
  r.chunks.push(chunk);
  r.received += chunk.length;
}

function onEnd(this: ReadingRequest) {
  const { chunks, received, length, next } = done(this);
  // Node's parser never hands over more than Content-Length; fewer means the client stopped.
  if (received !== length) return next(Object.assign(new Error('request size did not match content length'), { type: 'request.size.invalid', status: 400, expose: true }));
  let text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received)).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a UTF-8 byte order mark, which iconv-lite strips too
  const first = /\S/.exec(text)?.[0];
  if (first !== '{' && first !== '[') return next(parseFailed());
  try {
    this.body = JSON.parse(text);
  } catch {
    return next(parseFailed());
  }
  next();
}

function onAborted(this: ReadingRequest) {
  done(this).next(Object.assign(new Error('request aborted'), { type: 'request.aborted', status: 400, expose: true }));
}

function onError(this: ReadingRequest, err: Error) {
  done(this).next(err);
}

function done(req: ReadingRequest): Reading {
  const r = req[READ]!;
  req[READ] = undefined;
  req.off('data', onData);
  req.off('end', onEnd);
  req.off('aborted', onAborted);
  req.off('error', onError);
  return r;
}
