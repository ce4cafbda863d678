import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * Helmet's headers, worked out once. With static directives (no per-request nonce) helmet
 * sets the same headers on every response, but through a chain of a dozen middlewares per
 * request; replaying the recorded headers is one loop, and the answer is byte for byte the same.
 */
export function securityHeaders(options: HelmetOptions): RequestHandler {
  const set: [string, string][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => void set.push([name, value]),
    removeHeader: (name: string) => void removed.push(name),
  };
  let nextCalled = false;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    nextCalled = true;
  });
  // Helmet calls next synchronously; if a future version did not, replaying would be wrong.
  if (!nextCalled) throw new Error('helmet did not finish synchronously: cannot precompute its headers');
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
