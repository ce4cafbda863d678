import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { checkTargetUrl, checkTargetUrlResolved, guardedLookup, SsrfError } from '../../delivery/ssrf.ts';

/**
 * A client of the WooCommerce REST API v3 (`/wp-json/wc/v3`). Written from WooCommerce's
 * REST API documentation (Authentication, Pagination, Errors):
 * - over https the consumer key and secret go as HTTP Basic auth;
 * - over plain http WooCommerce refuses Basic auth and wants OAuth 1.0a "one-legged"
 *   signatures (no token), the oauth_* parameters in the query string; the signing is
 *   done by the `oauth-1.0a` library (HMAC-SHA256, WooCommerce's key is `secret&`);
 * - list endpoints page with `page` / `per_page` (at most 100) and say how many there are
 *   in `X-WP-Total` and `X-WP-TotalPages`;
 * - errors are JSON `{code, message, data: {status}}`.
 * Every failure comes back as a value (`WooError`), never thrown, so callers (connect's
 * 422s, the backfill, the write-back node) branch on `error.kind`.
 */

export const WOO_API_PREFIX = '/wp-json/wc/v3';
/** WooCommerce's own maximum for `per_page`. */
export const WOO_MAX_PER_PAGE = 100;
/** WooCommerce's batch endpoints refuse more than 100 objects in one call (create + update + delete). */
export const WOO_BATCH_LIMIT = 100;

export interface WooCredentials {
  storeUrl: string;
  consumerKey: string;
  consumerSecret: string;
}

export type WooErrorKind =
  /** DNS, refused or reset connection, timeout, TLS failure. */
  | 'unreachable'
  /** The URL answers, but not as a WordPress site with the WooCommerce REST API (wc/v3). */
  | 'not_woocommerce'
  /** 401 on a read: unknown key, wrong secret, bad signature. */
  | 'keys_refused'
  /** 401/403 on a write: the key has Read permission only. */
  | 'keys_read_only'
  | 'rate_limited'
  | 'server_error'
  /** The store URL is refused by the SSRF guard (private, loopback, metadata …). */
  | 'blocked'
  | 'not_found'
  /** Any other 4xx: the store refused what was asked (the message says why). */
  | 'rejected';

export interface WooError {
  kind: WooErrorKind;
  message: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** WooCommerce's error code, e.g. `woocommerce_rest_authentication_error`. */
  code?: string;
  /** What Retry-After asked for, in ms (429 / 503). */
  retryAfterMs?: number;
}

export interface WooResponse<T> {
  ok: true;
  status: number;
  data: T;
  headers: Record<string, string>;
  /** X-WP-Total / X-WP-TotalPages on list endpoints. */
  total?: number;
  totalPages?: number;
}
export type WooResult<T> = WooResponse<T> | { ok: false; error: WooError };

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface WooClientOptions {
  /** TRIPLINE_ALLOW_PRIVATE_TARGETS: lets loopback / private stores through (development, tests). */
  allowPrivate: boolean;
  /** One request's deadline (default 30 s). */
  timeoutMs?: number;
  /** Attempts after the first on 429, 5xx and network errors (default 4). */
  retries?: number;
  /** First backoff delay; doubles each retry, with jitter (default 1 s). */
  baseDelayMs?: number;
  /** Longest wait between attempts, Retry-After included (default 60 s). */
  maxDelayMs?: number;
  /** A CA to trust for an https store (a self-signed test store). */
  ca?: string;
  /** Called before each retry: the backfill records it as progress. */
  onRetry?: (info: { attempt: number; delayMs: number; error: WooError }) => void;
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** false: one attempt only (the caller retries, or a write must not be repeated blindly). */
  retry?: boolean;
}

export interface BatchInput<T = unknown> {
  create?: T[];
  update?: T[];
  delete?: (number | string)[];
}
export interface BatchOutput<T = unknown> {
  create: T[];
  update: T[];
  delete: T[];
}

/** Largest response body read (a page of 100 orders is a few hundred KB). */
const BODY_LIMIT = 64 * 1024 * 1024;

export class WooClient {
  readonly storeUrl: URL;
  private readonly oauth: OAuth | undefined;
  private readonly agent: http.Agent;
  private readonly opts: Required<Omit<WooClientOptions, 'ca' | 'onRetry'>> & Pick<WooClientOptions, 'ca' | 'onRetry'>;

  constructor(
    private readonly creds: WooCredentials,
    options: WooClientOptions,
  ) {
    this.storeUrl = new URL(normaliseStoreUrl(creds.storeUrl));
    this.opts = { timeoutMs: 30_000, retries: 4, baseDelayMs: 1000, maxDelayMs: 60_000, ...options };
    const lookup = guardedLookup(options.allowPrivate) as never;
    if (this.storeUrl.protocol === 'https:') {
      this.agent = new https.Agent({ keepAlive: true, maxSockets: 8, lookup, ...(options.ca ? { ca: options.ca } : {}) } as https.AgentOptions);
    } else {
      this.agent = new http.Agent({ keepAlive: true, maxSockets: 8, lookup } as http.AgentOptions);
      this.oauth = new OAuth({
        consumer: { key: creds.consumerKey, secret: creds.consumerSecret },
        signature_method: 'HMAC-SHA256',
        hash_function: (base, key) => crypto.createHmac('sha256', key).update(base).digest('base64'),
      });
    }
  }

  get isHttps(): boolean {
    return this.storeUrl.protocol === 'https:';
  }

  /** Closes the kept-alive sockets (call when done with a client). */
  close(): void {
    this.agent.destroy();
  }

  get<T = unknown>(path: string, query?: Query, opts: Omit<RequestOptions, 'query' | 'body'> = {}): Promise<WooResult<T>> {
    return this.request<T>('GET', path, { ...opts, query });
  }
  post<T = unknown>(path: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<WooResult<T>> {
    return this.request<T>('POST', path, { ...opts, body });
  }
  put<T = unknown>(path: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<WooResult<T>> {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  /** WooCommerce moves most resources to the trash unless `force=true`; webhooks and coupons need it to go. */
  delete<T = unknown>(path: string, query: Query = { force: true }, opts: Omit<RequestOptions, 'query' | 'body'> = {}): Promise<WooResult<T>> {
    return this.request<T>('DELETE', path, { ...opts, query });
  }

  /** One page of a list endpoint (`page` from 1), with WooCommerce's totals. */
  listPage<T = unknown>(resource: string, query: Query = {}, page = 1, perPage = WOO_MAX_PER_PAGE): Promise<WooResult<T[]>> {
    return this.get<T[]>(`/${trimSlashes(resource)}`, { ...query, page, per_page: Math.min(perPage, WOO_MAX_PER_PAGE) });
  }

  /**
   * Every page of a list endpoint, one after the other, from `startPage`. Stops at the
   * first error (yielded as the last value) so the caller can record where it stopped.
   */
  async *pages<T = unknown>(resource: string, query: Query = {}, startPage = 1, perPage = WOO_MAX_PER_PAGE): AsyncGenerator<WooResult<T[]> & { page: number }> {
    for (let page = startPage; ; page++) {
      const result = await this.listPage<T>(resource, query, page, perPage);
      yield { ...result, page };
      if (!result.ok) return;
      const last = result.totalPages !== undefined ? page >= result.totalPages : result.data.length < perPage;
      if (last || result.data.length === 0) return;
    }
  }

  /**
   * `POST /<resource>/batch`, split into calls of at most 100 objects (WooCommerce's
   * limit), results concatenated in order. Stops at the first failed call.
   */
  async batch<T = unknown>(resource: string, input: BatchInput): Promise<WooResult<BatchOutput<T>>> {
    const ops: { op: keyof BatchInput; item: unknown }[] = [
      ...(input.create ?? []).map((item) => ({ op: 'create' as const, item })),
      ...(input.update ?? []).map((item) => ({ op: 'update' as const, item })),
      ...(input.delete ?? []).map((item) => ({ op: 'delete' as const, item })),
    ];
    const out: BatchOutput<T> = { create: [], update: [], delete: [] };
    let status = 200;
    let headers: Record<string, string> = {};
    for (let i = 0; i < ops.length; i += WOO_BATCH_LIMIT) {
      const body: Record<string, unknown[]> = {};
      for (const { op, item } of ops.slice(i, i + WOO_BATCH_LIMIT)) (body[op] ??= []).push(item);
      const result = await this.post<Partial<BatchOutput<T>>>(`/${trimSlashes(resource)}/batch`, body);
      if (!result.ok) return result;
      out.create.push(...(result.data.create ?? []));
      out.update.push(...(result.data.update ?? []));
      out.delete.push(...(result.data.delete ?? []));
      ({ status, headers } = result);
    }
    return { ok: true, status, data: out, headers };
  }

  /**
   * Is there a WooCommerce REST API at this URL? Reads the WordPress REST index
   * (`/wp-json/`, no keys needed) and looks for the `wc/v3` namespace.
   */
  async discover(): Promise<WooResult<{ name?: string; namespaces: string[] }>> {
    const result = await this.raw<{ name?: string; namespaces?: unknown }>('GET', '/wp-json/', {}, undefined, false);
    if (!result.ok) {
      if (result.error.kind === 'unreachable' || result.error.kind === 'blocked' || result.error.kind === 'rate_limited' || result.error.kind === 'server_error') return result;
      return { ok: false, error: { ...result.error, kind: 'not_woocommerce', message: `${this.storeUrl.origin} does not answer as a WordPress site (${result.error.message})` } };
    }
    const namespaces = Array.isArray(result.data?.namespaces) ? result.data.namespaces.filter((n): n is string => typeof n === 'string') : [];
    if (!namespaces.includes('wc/v3')) {
      return {
        ok: false,
        error: { kind: 'not_woocommerce', status: result.status, message: `${this.storeUrl.origin} is a WordPress site without the WooCommerce REST API v3 (no wc/v3 namespace at /wp-json/): is WooCommerce active?` },
      };
    }
    return { ...result, data: { name: typeof result.data.name === 'string' ? result.data.name : undefined, namespaces } };
  }

  /** Any call under /wp-json/wc/v3, with retries. `path` is relative to it ("/orders/12/notes"). */
  async request<T = unknown>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, opts: RequestOptions = {}): Promise<WooResult<T>> {
    const apiPath = `${WOO_API_PREFIX}/${trimSlashes(path)}`;
    return this.raw<T>(method, apiPath, opts.query ?? {}, opts.body, true, opts.retry ?? true);
  }

  private async raw<T>(method: string, apiPath: string, query: Query, body: unknown, signed: boolean, retry = true): Promise<WooResult<T>> {
    const attempts = retry ? this.opts.retries + 1 : 1;
    let result: WooResult<T> | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      result = await this.once<T>(method, apiPath, query, body, signed);
      if (result.ok || !isRetryable(result.error) || attempt === attempts) return result;
      const backoff = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1));
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      const delayMs = Math.min(this.opts.maxDelayMs, Math.max(jittered, result.error.retryAfterMs ?? 0));
      this.opts.onRetry?.({ attempt, delayMs, error: result.error });
      await new Promise((r) => setTimeout(r, delayMs));
    }
    return result!;
  }

  private once<T>(method: string, apiPath: string, query: Query, body: unknown, signed: boolean): Promise<WooResult<T>> {
    const url = new URL(this.storeUrl.href.replace(/\/$/, '') + apiPath);
    // The connection's lookup checks names; an IP literal never goes through a lookup, so check the URL too.
    const check = checkTargetUrl(url.href, this.opts.allowPrivate);
    if (!check.ok) return Promise.resolve({ ok: false, error: { kind: 'blocked', message: `the store URL ${check.reason}` } });
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Tripline (WooCommerce REST client)' };
    if (signed) {
      if (this.oauth) {
        // WooCommerce reads the oauth_* parameters from the query string (its docs: the
        // Authorization header is not reliably available to PHP on every host).
        const auth = this.oauth.authorize({ url: url.href, method });
        for (const [k, v] of Object.entries(auth)) url.searchParams.set(k, String(v));
      } else {
        headers.authorization = `Basic ${Buffer.from(`${this.creds.consumerKey}:${this.creds.consumerSecret}`).toString('base64')}`;
      }
    }
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (r: WooResult<T>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const req = transport.request(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > BODY_LIMIT) {
            req.destroy();
            finish({ ok: false, error: { kind: 'server_error', status: res.statusCode, message: `the store's answer is larger than ${BODY_LIMIT} bytes` } });
          } else chunks.push(c);
        });
        res.on('error', (e) => finish({ ok: false, error: { kind: 'unreachable', message: `the store closed the connection: ${e.message}` } }));
        res.on('end', () => finish(toResult<T>(res, Buffer.concat(chunks).toString('utf8'), method)));
      });
      const timer = setTimeout(() => {
        req.destroy();
        finish({ ok: false, error: { kind: 'unreachable', message: `the store did not answer within ${this.opts.timeoutMs} ms` } });
      }, this.opts.timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof SsrfError || e.code === 'ESSRF') finish({ ok: false, error: { kind: 'blocked', message: `the store URL ${e.message}` } });
        else finish({ ok: false, error: { kind: 'unreachable', message: `cannot reach ${url.host}: ${e.code ?? ''} ${e.message}`.trim() } });
      });
      req.end(payload);
    });
  }
}

function toResult<T>(res: http.IncomingMessage, text: string, method: string): WooResult<T> {
  const status = res.statusCode ?? 0;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  let data: unknown;
  let parsed = true;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = false;
  }
  if (status >= 200 && status < 300) {
    if (!parsed) return { ok: false, error: { kind: 'not_woocommerce', status, message: 'the store answered something that is not JSON (is this the WooCommerce REST API?)' } };
    const total = intHeader(headers['x-wp-total']);
    const totalPages = intHeader(headers['x-wp-totalpages']);
    return { ok: true, status, data: data as T, headers, ...(total !== undefined ? { total } : {}), ...(totalPages !== undefined ? { totalPages } : {}) };
  }
  const err = parsed && data && typeof data === 'object' ? (data as { code?: unknown; message?: unknown }) : {};
  const code = typeof err.code === 'string' ? err.code : undefined;
  const said = typeof err.message === 'string' ? err.message : text.slice(0, 200);
  const base = { status, ...(code ? { code } : {}) };
  const write = method !== 'GET';
  if (status === 429) return { ok: false, error: { ...base, kind: 'rate_limited', message: `the store is rate limiting (429): ${said}`, ...retryAfter(headers) } };
  if (status >= 500) return { ok: false, error: { ...base, kind: 'server_error', message: `the store failed (${status}): ${said}`, ...retryAfter(headers) } };
  if (status === 401 || status === 403) {
    // WooCommerce answers a write with a Read-only key with 401 (`...cannot_create`, "does
    // not have write permissions"); some hosts and security plugins answer 403.
    const readOnly = write && (status === 403 || /cannot_(create|edit|delete|batch)|write permission/i.test(`${code ?? ''} ${said}`));
    if (readOnly) return { ok: false, error: { ...base, kind: 'keys_read_only', message: `the keys may only read (${status} ${code ?? ''}): give them Read/Write permission in WooCommerce → Settings → Advanced → REST API` } };
    return { ok: false, error: { ...base, kind: 'keys_refused', message: `the store refused the keys (${status}${code ? ` ${code}` : ''}): ${said}` } };
  }
  if (status === 404) {
    const wp = code === 'rest_no_route';
    return { ok: false, error: { ...base, kind: wp || !parsed ? 'not_woocommerce' : 'not_found', message: `${status} ${code ?? ''}: ${said}`.trim() } };
  }
  return { ok: false, error: { ...base, kind: 'rejected', message: `the store refused the request (${status}${code ? ` ${code}` : ''}): ${said}` } };
}

function isRetryable(e: WooError): boolean {
  return e.kind === 'rate_limited' || e.kind === 'server_error' || e.kind === 'unreachable';
}

/** Retry-After is seconds or an HTTP date. */
function retryAfter(headers: Record<string, string>): { retryAfterMs?: number } {
  const v = headers['retry-after'];
  if (!v) return {};
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return { retryAfterMs: Math.max(0, seconds * 1000) };
  const at = Date.parse(v);
  return Number.isNaN(at) ? {} : { retryAfterMs: Math.max(0, at - Date.now()) };
}

function intHeader(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : undefined;
}

function trimSlashes(s: string): string {
  return s.replace(/^\/+|\/+$/g, '');
}

/** "shop.example.com/" → "https://shop.example.com"; keeps a sub-path (WordPress in /blog). */
export function normaliseStoreUrl(raw: string): string {
  const s = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  const url = new URL(withScheme);
  url.hash = '';
  url.search = '';
  return url.href.replace(/\/+$/, '');
}

/**
 * The same SSRF guard as webhook endpoints: scheme, no credentials in the URL, and every
 * address the host resolves to now (the connection's own lookup checks again each time).
 */
export async function checkStoreUrl(raw: string, allowPrivate: boolean): Promise<{ ok: true; url: string } | { ok: false; reason: string }> {
  let url: string;
  try {
    url = normaliseStoreUrl(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL' };
  }
  const check = await checkTargetUrlResolved(url, allowPrivate);
  return check.ok ? { ok: true, url } : { ok: false, reason: check.reason ?? 'is refused' };
}
