import http from 'node:http';
import https from 'node:https';
import { checkTargetUrl, guardedLookup } from './ssrf.ts';

/** Stored and shown per attempt; enough to see what the receiver said without storing megabytes. */
export const RESPONSE_BODY_LIMIT = 16 * 1024;

export type ErrorClass = 'timeout' | 'refused' | 'reset' | 'tls' | 'dns' | 'ssrf_blocked' | 'http_status' | 'redirect' | 'auth' | 'other';

export interface OutgoingRequest {
  url: string;
  method?: 'POST' | 'GET';
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  allowPrivate: boolean;
  /** Client certificate for mutual TLS, and the CA that signs the receiver's certificate. */
  tls?: { cert: string; key: string; ca?: string };
  /** Bytes of the response body to read (default RESPONSE_BODY_LIMIT, the attempt log's). */
  responseLimit?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body was longer than the request's responseLimit and was cut there. */
  truncated?: true;
}

export type HttpOutcome =
  | { kind: 'response'; response: HttpResponse; durationMs: number }
  | { kind: 'error'; errorClass: ErrorClass; error: string; durationMs: number };

// Keep-alive agents: a warm connection saves the TCP (and TLS) handshake on every
// delivery. The SSRF check lives in `lookup`, which runs for each new connection, so a
// reused socket is one whose address was already checked. https.Agent keys its pool by
// the TLS options, so a client certificate never leaks to another endpoint's socket.
const agents = {
  http: new Map<boolean, http.Agent>(),
  https: new Map<boolean, https.Agent>(),
};
function agentFor(protocol: 'http:' | 'https:', allowPrivate: boolean): http.Agent {
  const lookup = guardedLookup(allowPrivate) as never;
  if (protocol === 'http:') {
    let a = agents.http.get(allowPrivate);
    if (!a) agents.http.set(allowPrivate, (a = new http.Agent({ keepAlive: true, maxSockets: 64, lookup } as http.AgentOptions)));
    return a;
  }
  let a = agents.https.get(allowPrivate);
  if (!a) agents.https.set(allowPrivate, (a = new https.Agent({ keepAlive: true, maxSockets: 64, lookup } as https.AgentOptions)));
  return a;
}

/**
 * One HTTP request with a hard deadline, no redirects followed, the response body read up
 * to `responseLimit` (16 KB by default), and every failure mapped to an error class. Never throws.
 */
export function sendHttp(req: OutgoingRequest): Promise<HttpOutcome> {
  const limit = req.responseLimit ?? RESPONSE_BODY_LIMIT;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const check = checkTargetUrl(req.url, req.allowPrivate);
  if (!check.ok) {
    return Promise.resolve({ kind: 'error', errorClass: 'ssrf_blocked', error: `target ${check.reason}`, durationMs: elapsed() });
  }
  const url = new URL(req.url);
  const protocol = url.protocol as 'http:' | 'https:';
  const body = Buffer.from(req.body);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const options: https.RequestOptions = {
      method: req.method ?? 'POST',
      headers: { ...req.headers, 'content-length': String(body.length) },
      lookup: guardedLookup(req.allowPrivate) as never,
      agent: agentFor(protocol, req.allowPrivate),
    };
    if (req.tls) {
      options.cert = req.tls.cert;
      options.key = req.tls.key;
      if (req.tls.ca) options.ca = req.tls.ca;
    }
    const request = (protocol === 'https:' ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        finish({
          kind: 'response',
          durationMs: elapsed(),
          response: {
            status: res.statusCode ?? 0,
            headers: flattenHeaders(res.headers),
            body: Buffer.concat(chunks).toString('utf8').slice(0, limit),
            ...(size > limit ? { truncated: true as const } : {}),
          },
        });
      res.on('data', (chunk: Buffer) => {
        if (size >= limit) return;
        chunks.push(chunk.subarray(0, limit - size));
        size += chunk.length;
        if (size >= limit) {
          // Enough to show; the rest is not worth the wait. The socket is not reused.
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (err) => (size > 0 ? done() : finish(classifyError(err, elapsed()))));
      res.on('close', done);
    });
    const timer = setTimeout(() => {
      request.destroy(Object.assign(new Error(`no response within ${req.timeoutMs} ms`), { code: 'ETRIPLINETIMEOUT' }));
    }, req.timeoutMs);
    request.on('error', (err) => finish(classifyError(err, elapsed())));
    request.end(body);
  });
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const TLS_CODE = /^(ERR_TLS|ERR_SSL|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH|ERR_CERT)/;

export function classifyError(err: unknown, durationMs: number): HttpOutcome {
  const e = err as NodeJS.ErrnoException & { reason?: string };
  const code = e.code ?? '';
  const message = e.message || String(err);
  const out = (errorClass: ErrorClass, error: string): HttpOutcome => ({ kind: 'error', errorClass, error, durationMs });
  if (code === 'ESSRF') return out('ssrf_blocked', `target refused: ${message}`);
  if (code === 'ETRIPLINETIMEOUT') return out('timeout', message);
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return out('refused', `connection refused (${code})`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL' || code === 'EAI_NONAME') return out('dns', `DNS lookup failed (${code}): ${message}`);
  if (TLS_CODE.test(code) || /SSL|TLS|certificate/i.test(message)) return out('tls', `TLS failed (${code || 'handshake'}): ${message}`);
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) return out('reset', `connection reset (${code || 'hang up'})`);
  if (code === 'ETIMEDOUT') return out('timeout', `connection timed out (${code})`);
  return out('other', `${code ? `${code}: ` : ''}${message}`);
}
