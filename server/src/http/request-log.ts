import crypto from 'node:crypto';
import type { Express, RequestHandler, Response } from 'express';
import { stdSerializers } from 'pino';
import type { Logger } from '../logger.ts';

const INCOMING_ID = /^[\w-]{1,100}$/;
const STARTED = Symbol('request started');
const CHILD = Symbol('request logger');

type Logged = Response & { [STARTED]?: number };

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is sane, a UUID otherwise),
 * echoes it in the `X-Request-Id` header, and logs the finished request: at error for a 5xx,
 * warn for a 4xx, debug otherwise, with the request (secrets redacted by the logger), the
 * response and the time taken, as pino-http did.
 *
 * It replaces pino-http because that binds a child logger with the serialized, redacted
 * request to every request up front (about 5 % of Node's time on the ingest path), though
 * nearly every success is logged at debug and so never written. Here nothing is serialized
 * unless a line is written, and `req.log` (a getter on the app's request prototype, so no
 * per-request closure) makes that same child logger on first use: an unhandled error.
 */
export function requestLogger(app: Express, log: Logger, ignore: (url: string) => boolean): RequestHandler {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: { [CHILD]?: Logger }) {
      return (this[CHILD] ??= log.child({ req: stdSerializers.req(this as never) }));
    },
    set(this: { [CHILD]?: Logger }, value: Logger) {
      this[CHILD] = value;
    },
  });
  // 'close' follows 'finish' on every response and also comes alone when the client goes away.
  function logFinished(this: Logged) {
    const started = this[STARTED];
    if (started === undefined) return;
    this[STARTED] = undefined;
    const status = this.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : 'debug';
    if (!log.isLevelEnabled(level)) return;
    const line: Record<string, unknown> = { req: stdSerializers.req(this.req), res: stdSerializers.res(this), responseTime: Date.now() - started };
    if (status >= 500) line.err = stdSerializers.err(new Error(`failed with status code ${status}`));
    log[level](line, status >= 500 ? 'request errored' : 'request completed');
  }
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : crypto.randomUUID();
    req.id = id;
    res.setHeader('x-request-id', id);
    if (!ignore(req.url)) {
      (res as Logged)[STARTED] = Date.now();
      res.on('close', logFinished);
    }
    next();
  };
}

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id, also sent back as `X-Request-Id` (requestLogger). */
    id: string;
    /** A logger bound to this request (requestLogger). */
    log: Logger;
  }
}
