import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A WooCommerce store's REST API v3 on a loopback port, written from WooCommerce's public
 * REST API documentation (https://woocommerce.github.io/woocommerce-rest-api-docs/) and
 * the behaviour of its authentication and webhook code:
 *
 * - `/wp-json/` is the WordPress REST index (namespaces list `wc/v3`); everything else
 *   lives under `/wp-json/wc/v3`, unknown routes answer 404 `rest_no_route`.
 * - Keys: over https HTTP Basic (or `consumer_key`/`consumer_secret` in the query); over
 *   plain http only OAuth 1.0a one-legged signatures in the query string, checked the way
 *   WooCommerce does (HMAC-SHA1/256, key `secret&`, timestamp within 15 minutes, a nonce
 *   used once). Read-only keys are refused on writes (401).
 * - Lists: `page`, `per_page` (1–100, else 400 `rest_invalid_param`), `orderby`, `order`,
 *   `after`/`before`, `modified_after`/`modified_before` (orders, products, coupons: the
 *   customers endpoint has no modified filter in WooCommerce), `X-WP-Total`/`X-WP-TotalPages`.
 * - Resources: customers, orders (+ `/orders/:id/notes`), products, coupons, webhooks, and
 *   `POST /<resource>/batch` (at most 100 objects, else 413).
 * - Webhooks: a saved change of a resource is delivered to every active webhook of its
 *   topic, with WooCommerce's headers and `X-WC-Webhook-Signature` = base64 HMAC-SHA256 of
 *   the body with the webhook's secret; 5 consecutive failed deliveries disable it.
 *
 * Test knobs (`rateLimitNext`, `failNext`, `webhooksDown`, `pauseDeliveries`, `createOrder`
 * …) stand in for the things a real store does on its own.
 */

export type Permissions = 'read' | 'write' | 'read_write';
export type Obj = Record<string, any>;
export type ResourceName = 'customers' | 'orders' | 'products' | 'coupons';
export type WebhookStatus = 'active' | 'paused' | 'disabled';

export interface EmulatorOptions {
  /** Serve https with a self-signed certificate (Basic auth); default plain http (OAuth 1.0a). */
  https?: boolean;
  /** The store's name in the REST index. */
  name?: string;
  /** Consecutive failed deliveries after which a webhook is disabled (WooCommerce: 5). */
  maxDeliveryFailures?: number;
  /** How long one webhook delivery may take. */
  deliveryTimeoutMs?: number;
  /** Ids start above this (customers at idBase + 1, posts at idBase + 100): stores that must not collide in one database. */
  idBase?: number;
}

export interface Delivery {
  webhookId: number;
  topic: string;
  deliveryId: string;
  url: string;
  status: number | null;
  ok: boolean;
  at: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  auth: 'basic' | 'oauth' | 'none';
}

interface Key {
  consumerKey: string;
  consumerSecret: string;
  permissions: Permissions;
}

const SINGULAR: Record<ResourceName, 'customer' | 'order' | 'product' | 'coupon'> = { customers: 'customer', orders: 'order', products: 'product', coupons: 'coupon' };

export class WooEmulator {
  url = '';
  /** PEM of the self-signed certificate when serving https (give it to the client as `ca`). */
  certificate: string | undefined;
  readonly requests: LoggedRequest[] = [];
  readonly deliveries: Delivery[] = [];
  readonly store: Record<ResourceName, Map<number, Obj>> = { customers: new Map(), orders: new Map(), products: new Map(), coupons: new Map() };
  readonly notes = new Map<number, Obj[]>();
  readonly webhooks = new Map<number, Obj & { secret: string; failure_count: number }>();
  /** When true, store changes are saved but no webhook is queued (wp-cron not running, the hook lost). */
  webhooksDown = false;
  /** The store's clock; tests move it to make history. */
  now: () => Date = () => new Date();

  private readonly holds: { match: (r: { method: string; path: string; query: Record<string, string> }) => boolean; arrived: () => void; released: Promise<void> }[] = [];
  private readonly keys = new Map<string, Key>();
  private readonly nonces = new Set<string>();
  private server!: http.Server | https.Server;
  private nextPostId = 100;
  private nextUserId = 1;
  private nextWebhookId = 1;
  private nextMetaId = 1000;
  private rateLimited = { count: 0, retryAfter: 1 };
  private failing = { count: 0, status: 503 };
  private paused = false;
  private queue: { webhookId: number; topic: string; body: string }[] = [];
  private draining: Promise<void> | undefined;
  private readonly sorted = new Map<string, { version: number; items: Obj[] }>();
  private readonly versions: Record<ResourceName, number> = { customers: 0, orders: 0, products: 0, coupons: 0 };

  constructor(private readonly options: EmulatorOptions = {}) {
    this.nextUserId = (options.idBase ?? 0) + 1;
    this.nextPostId = (options.idBase ?? 0) + 100;
  }

  async start(): Promise<this> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    if (this.options.https) {
      const selfsigned = await import('selfsigned');
      const pems = await (selfsigned as any).generate([{ name: 'commonName', value: '127.0.0.1' }], {
        days: 2,
        keySize: 2048,
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
      });
      this.certificate = pems.cert;
      this.server = https.createServer({ key: pems.private, cert: pems.cert }, handler);
    } else {
      this.server = http.createServer(handler);
    }
    this.server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `${this.options.https ? 'https' : 'http'}://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    this.paused = true;
    this.queue = [];
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---------------------------------------------------------------- knobs

  /** New REST API keys, as WooCommerce → Settings → Advanced → REST API makes them. */
  addKey(permissions: Permissions = 'read_write'): { consumerKey: string; consumerSecret: string } {
    const key = { consumerKey: `ck_${crypto.randomBytes(20).toString('hex')}`, consumerSecret: `cs_${crypto.randomBytes(20).toString('hex')}`, permissions };
    this.keys.set(key.consumerKey, key);
    return { consumerKey: key.consumerKey, consumerSecret: key.consumerSecret };
  }

  /** The next `count` API requests answer 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(count: number, retryAfterSeconds = 1): void {
    this.rateLimited = { count, retryAfter: retryAfterSeconds };
  }

  /** The next `count` API requests answer `status` (a 5xx by default). */
  failNext(count: number, status = 503): void {
    this.failing = { count, status };
  }

  /**
   * Holds the first API request that matches until `release()` (a slow page at the moment a
   * test stops Tripline). `reached` resolves when the request has arrived.
   */
  hold(match: (r: { method: string; path: string; query: Record<string, string> }) => boolean): { reached: Promise<void>; release: () => void } {
    let arrived!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ match, arrived, released });
    return { reached, release };
  }

  /** Deliveries wait in the queue (Action Scheduler stalled) until resumed. */
  pauseDeliveries(): void {
    this.paused = true;
  }
  resumeDeliveries(): void {
    this.paused = false;
    this.kick();
  }

  /** Resolves when every queued delivery has been attempted (not while paused). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Someone deletes the webhook in WooCommerce → Settings → Advanced → Webhooks. */
  deleteWebhook(id: number): boolean {
    return this.webhooks.delete(id);
  }

  setWebhookStatus(id: number, status: WebhookStatus): void {
    const w = this.webhooks.get(id);
    if (w) Object.assign(w, { status, date_modified: this.stamp(), date_modified_gmt: this.stamp() });
  }

  /** A customer registers (fires customer.created unless `silent` or webhooks are down). */
  createCustomer(input: Obj = {}, opts: { silent?: boolean } = {}): Obj {
    return this.save('customers', this.newCustomer(input), 'created', opts.silent);
  }
  updateCustomer(id: number, patch: Obj, opts: { silent?: boolean } = {}): Obj {
    return this.save('customers', this.merge(this.must('customers', id), patch), 'updated', opts.silent);
  }
  createOrder(input: Obj = {}, opts: { silent?: boolean } = {}): Obj {
    return this.save('orders', this.newOrder(input), 'created', opts.silent);
  }
  updateOrder(id: number, patch: Obj, opts: { silent?: boolean } = {}): Obj {
    return this.save('orders', this.orderPatched(this.must('orders', id), patch), 'updated', opts.silent);
  }
  /** A refund line (WooCommerce lists refunds as negative totals) and the order saved. */
  refundOrder(id: number, amount: number, reason = '', opts: { silent?: boolean } = {}): Obj {
    const order = this.must('orders', id);
    const refunds = [...(order.refunds ?? []), { id: this.nextPostId++, reason, total: `-${amount.toFixed(2)}` }];
    const refundedAll = refunds.reduce((s: number, r: Obj) => s + Math.abs(Number(r.total)), 0) >= Number(order.total) - 0.005;
    return this.updateOrder(id, { refunds, ...(refundedAll ? { status: 'refunded' } : {}) }, opts);
  }
  createProduct(input: Obj = {}, opts: { silent?: boolean } = {}): Obj {
    return this.save('products', this.productPriced(this.newProduct(input)), 'created', opts.silent);
  }
  updateProduct(id: number, patch: Obj, opts: { silent?: boolean } = {}): Obj {
    return this.save('products', this.productPriced(this.merge(this.must('products', id), patch)), 'updated', opts.silent);
  }
  createCoupon(input: Obj, opts: { silent?: boolean } = {}): Obj {
    return this.save('coupons', this.newCoupon(input), 'created', opts.silent);
  }

  get(resource: ResourceName, id: number): Obj | undefined {
    return this.store[resource].get(id);
  }

  // ---------------------------------------------------------------- HTTP

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const method = (req.method ?? 'GET').toUpperCase();
    const log: LoggedRequest = { method, path: url.pathname, query, status: 0, auth: 'none' };
    this.requests.push(log);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers }).end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string, extra: Obj = {}) => send(status, { code, message, data: { status, ...extra } });

    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/wp-json' || path === '') {
      if (path === '') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>A WordPress site</body></html>');
      return send(200, {
        name: this.options.name ?? 'Emulated store',
        description: 'Just another WordPress site',
        url: this.url,
        home: this.url,
        namespaces: ['oembed/1.0', 'wc/store/v1', 'wc/v1', 'wc/v2', 'wc/v3', 'wp/v2'],
        authentication: [],
        routes: {},
      });
    }
    if (!path.startsWith('/wp-json/wc/v3')) return error(404, 'rest_no_route', 'No route was found matching the URL and request method.');

    const held = this.holds.findIndex((h) => h.match({ method, path, query }));
    if (held >= 0) {
      const [h] = this.holds.splice(held, 1);
      h!.arrived();
      await h!.released;
    }

    if (this.rateLimited.count > 0) {
      this.rateLimited.count--;
      return send(429, { code: 'too_many_requests', message: 'Too many requests.', data: { status: 429 } }, { 'retry-after': String(this.rateLimited.retryAfter) });
    }
    if (this.failing.count > 0) {
      this.failing.count--;
      return error(this.failing.status, 'internal_server_error', 'There has been a critical error on this website.');
    }

    const write = method !== 'GET';
    const auth = this.authenticate(req, url, query, method);
    log.auth = auth.via;
    if (auth.error) return error(401, 'woocommerce_rest_authentication_error', auth.error);
    if (!auth.key) {
      return write
        ? error(401, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources.')
        : error(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
    }
    if (write && auth.key.permissions === 'read') {
      // The lead's brief and WooCommerce's capability check both answer 401 for a write by a read-only key.
      return error(401, 'woocommerce_rest_cannot_create', 'Sorry, you are not allowed to create resources. The API key provided does not have write permissions.');
    }
    if (!write && auth.key.permissions === 'write') return error(401, 'woocommerce_rest_authentication_error', 'The API key provided does not have read permissions.');

    let body: Obj = {};
    if (raw && write) {
      try {
        body = JSON.parse(raw);
      } catch {
        return error(400, 'rest_invalid_json', 'Invalid JSON body passed.');
      }
    }
    const parts = path.slice('/wp-json/wc/v3/'.length).split('/').filter(Boolean);
    try {
      const out = this.route(method, parts, query, body);
      if (!out) return error(404, 'rest_no_route', 'No route was found matching the URL and request method.');
      send(out.status ?? 200, out.body, out.headers);
    } catch (e) {
      if (e instanceof RestError) return error(e.status, e.code, e.message, e.extra);
      throw e;
    }
  }

  private authenticate(req: http.IncomingMessage, url: URL, query: Record<string, string>, method: string): { key?: Key; error?: string; via: LoggedRequest['auth'] } {
    if (this.options.https) {
      let id: string | undefined;
      let secret: string | undefined;
      const header = req.headers.authorization;
      if (header?.startsWith('Basic ')) {
        const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
        [id, secret] = [decoded.slice(0, decoded.indexOf(':')), decoded.slice(decoded.indexOf(':') + 1)];
      } else if (query.consumer_key) {
        [id, secret] = [query.consumer_key, query.consumer_secret];
      }
      if (!id) return { via: 'none' };
      const key = this.keys.get(id);
      if (!key) return { error: 'Consumer key is invalid.', via: 'basic' };
      if (!secret || !safeEqual(secret, key.consumerSecret)) return { error: 'Consumer secret is invalid.', via: 'basic' };
      return { key, via: 'basic' };
    }
    // Plain http: WooCommerce ignores Basic auth here (it would send the secret in clear).
    if (!query.oauth_consumer_key) return { via: 'none' };
    for (const p of ['oauth_consumer_key', 'oauth_timestamp', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method']) {
      if (!query[p]) return { error: `Missing OAuth parameter ${p}`, via: 'oauth' };
    }
    const key = this.keys.get(query.oauth_consumer_key);
    if (!key) return { error: 'Consumer key is invalid.', via: 'oauth' };
    const given = query.oauth_signature!;
    const params = { ...query };
    delete params.oauth_signature;
    const method_ = query.oauth_signature_method;
    if (method_ !== 'HMAC-SHA1' && method_ !== 'HMAC-SHA256') return { error: 'Invalid signature - signature method is invalid.', via: 'oauth' };
    // WooCommerce's check_oauth_signature: sort by key, RFC 3986-encode keys and values,
    // encode each "k=v" once more, join with %26; base = METHOD&enc(url)&params; key = secret&.
    const pairs = Object.keys(params)
      .sort()
      .map((k) => rfc3986(`${rfc3986(k)}=${rfc3986(params[k]!)}`));
    const base = `${method}&${rfc3986(`${url.protocol}//${url.host}${url.pathname}`)}&${pairs.join('%26')}`;
    const expected = crypto
      .createHmac(method_ === 'HMAC-SHA1' ? 'sha1' : 'sha256', `${key.consumerSecret}&`)
      .update(base)
      .digest('base64');
    if (!safeEqual(expected, given.replace(/ /g, '+'))) return { error: 'Invalid signature - provided signature does not match.', via: 'oauth' };
    const ts = Number(query.oauth_timestamp);
    if (!(Math.abs(ts - Date.now() / 1000) <= 15 * 60)) return { error: 'Invalid timestamp.', via: 'oauth' };
    const nonceKey = `${key.consumerKey}:${ts}:${query.oauth_nonce}`;
    if (this.nonces.has(nonceKey)) return { error: 'Invalid nonce - nonce has already been used.', via: 'oauth' };
    this.nonces.add(nonceKey);
    return { key, via: 'oauth' };
  }

  private route(method: string, parts: string[], q: Record<string, string>, body: Obj): { status?: number; body: unknown; headers?: Record<string, string> } | undefined {
    const [resource, idPart, sub, subId] = parts;
    if (resource === 'webhooks') return this.webhookRoute(method, idPart, q, body);
    if (!resource || !isResource(resource)) return undefined;
    if (idPart === 'batch') {
      if (method !== 'POST' && method !== 'PUT') return undefined;
      return { body: this.batch(resource, body) };
    }
    if (resource === 'orders' && sub === 'notes' && idPart) return this.notesRoute(method, Number(idPart), subId, body);
    if (sub) return undefined;
    if (!idPart) {
      if (method === 'GET') return this.list(resource, q);
      if (method === 'POST') return { status: 201, body: this.restCreate(resource, body) };
      return undefined;
    }
    const id = Number(idPart);
    if (method === 'GET') return { body: this.must(resource, id) };
    if (method === 'PUT' || method === 'POST' || method === 'PATCH') return { body: this.restUpdate(resource, id, body) };
    if (method === 'DELETE') return { body: this.restDelete(resource, id, q.force === 'true' || q.force === '1') };
    return undefined;
  }

  private list(resource: ResourceName, q: Record<string, string>) {
    const perPage = q.per_page === undefined ? 10 : Number(q.per_page);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', { params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } });
    }
    const page = q.page === undefined ? 1 : Number(q.page);
    if (!Number.isInteger(page) || page < 1) throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): page', { params: { page: 'page must be greater than or equal to 1' } });
    const order = q.order ?? (resource === 'customers' ? 'asc' : 'desc');
    if (order !== 'asc' && order !== 'desc') throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): order', { params: { order: 'order is not one of asc and desc.' } });
    const orderbys = resource === 'customers' ? ['id', 'include', 'name', 'registered_date'] : ['date', 'id', 'include', 'title', 'slug', 'modified'];
    const orderby = q.orderby ?? (resource === 'customers' ? 'name' : 'date');
    if (!orderbys.includes(orderby)) throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): orderby', { params: { orderby: `orderby is not one of ${orderbys.join(', ')}.` } });

    let items = this.sortedItems(resource, orderby, order);
    const filters: ((o: Obj) => boolean)[] = [];
    const dateFilter = (field: string, after: string | undefined, before: string | undefined) => {
      if (after) filters.push((o) => parseGmt(o[field]) > parseGmt(after));
      if (before) filters.push((o) => parseGmt(o[field]) < parseGmt(before));
    };
    if (resource !== 'customers') {
      dateFilter('date_created_gmt', q.after, q.before);
      // WooCommerce 5.8+: orders, products and coupons (not customers: issue #41371).
      dateFilter('date_modified_gmt', q.modified_after, q.modified_before);
    }
    if (q.include) {
      const ids = new Set(q.include.split(',').map(Number));
      filters.push((o) => ids.has(o.id));
    }
    if (resource === 'orders' && q.status && q.status !== 'any') {
      const statuses = new Set(q.status.split(','));
      filters.push((o) => statuses.has(o.status));
    }
    if (resource === 'orders' && q.customer) filters.push((o) => String(o.customer_id) === q.customer);
    if (resource === 'products' && q.sku) {
      const skus = new Set(q.sku.split(','));
      filters.push((o) => skus.has(o.sku));
    }
    if (resource === 'coupons' && q.code) filters.push((o) => o.code === q.code!.toLowerCase());
    if (resource === 'customers' && q.email) filters.push((o) => o.email === q.email!.toLowerCase());
    if (q.search) filters.push((o) => JSON.stringify(o).toLowerCase().includes(q.search!.toLowerCase()));
    if (filters.length) items = items.filter((o) => filters.every((f) => f(o)));

    const total = items.length;
    const totalPages = Math.ceil(total / perPage);
    if (page > totalPages && total > 0 && resource !== 'customers') {
      throw new RestError(400, 'rest_post_invalid_page_number', 'The page number requested is larger than the number of pages available.');
    }
    return { body: items.slice((page - 1) * perPage, page * perPage), headers: { 'x-wp-total': String(total), 'x-wp-totalpages': String(totalPages) } };
  }

  /** Sorted views are cached per resource version: 500 pages of 50,000 orders sort once. */
  private sortedItems(resource: ResourceName, orderby: string, order: string): Obj[] {
    const cacheKey = `${resource}:${orderby}:${order}`;
    const cached = this.sorted.get(cacheKey);
    if (cached && cached.version === this.versions[resource]) return cached.items;
    const field: Record<string, (o: Obj) => string | number> = {
      id: (o) => o.id,
      include: (o) => o.id,
      date: (o) => parseGmt(o.date_created_gmt),
      registered_date: (o) => parseGmt(o.date_created_gmt),
      modified: (o) => parseGmt(o.date_modified_gmt),
      title: (o) => String(o.name ?? o.code ?? o.number ?? ''),
      slug: (o) => String(o.slug ?? o.code ?? ''),
      name: (o) => `${o.first_name ?? ''} ${o.last_name ?? ''}`.trim() || o.email,
    };
    const f = field[orderby]!;
    const dir = order === 'asc' ? 1 : -1;
    // Ties broken by id, as WordPress does, so pages never overlap.
    const items = [...this.store[resource].values()].sort((a, b) => {
      const x = f(a);
      const y = f(b);
      return (x < y ? -1 : x > y ? 1 : a.id - b.id) * dir;
    });
    this.sorted.set(cacheKey, { version: this.versions[resource], items });
    return items;
  }

  private batch(resource: ResourceName, body: Obj) {
    const create: Obj[] = Array.isArray(body.create) ? body.create : [];
    const update: Obj[] = Array.isArray(body.update) ? body.update : [];
    const del: unknown[] = Array.isArray(body.delete) ? body.delete : [];
    if (create.length + update.length + del.length > 100) {
      throw new RestError(413, 'woocommerce_rest_request_entity_too_large', 'Unable to accept more than 100 items for this request.');
    }
    const each = (fn: () => Obj, id?: unknown) => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof RestError) return { id: id ?? 0, error: { code: e.code, message: e.message, data: { status: e.status } } };
        throw e;
      }
    };
    return {
      ...(create.length ? { create: create.map((c) => each(() => this.restCreate(resource, c))) } : {}),
      ...(update.length ? { update: update.map((u) => each(() => this.restUpdate(resource, Number(u.id), u), u.id)) } : {}),
      ...(del.length ? { delete: del.map((d) => each(() => this.restDelete(resource, Number(typeof d === 'object' && d ? (d as Obj).id : d), true), d)) } : {}),
    };
  }

  private restCreate(resource: ResourceName, body: Obj): Obj {
    if (resource === 'customers') {
      if (!body.email) throw new RestError(400, 'rest_missing_callback_param', 'Missing parameter(s): email', { params: ['email'] });
      if ([...this.store.customers.values()].some((c) => c.email === String(body.email).toLowerCase())) {
        throw new RestError(400, 'registration-error-email-exists', 'An account is already registered with your email address.');
      }
      return this.createCustomer(body);
    }
    if (resource === 'orders') return this.createOrder(body);
    if (resource === 'products') return this.createProduct(body);
    if (!body.code) throw new RestError(400, 'rest_missing_callback_param', 'Missing parameter(s): code', { params: ['code'] });
    const code = String(body.code).toLowerCase();
    if ([...this.store.coupons.values()].some((c) => c.code === code)) {
      throw new RestError(400, 'woocommerce_rest_coupon_code_already_exists', 'The coupon code already exists');
    }
    return this.createCoupon(body);
  }

  private restUpdate(resource: ResourceName, id: number, body: Obj): Obj {
    const { id: _ignored, ...patch } = body;
    if (resource === 'customers') return this.updateCustomer(id, patch);
    if (resource === 'orders') return this.updateOrder(id, patch);
    if (resource === 'products') return this.updateProduct(id, patch);
    const coupon = this.must('coupons', id);
    if (patch.code) patch.code = String(patch.code).toLowerCase();
    return this.save('coupons', this.couponDated(this.merge(coupon, patch)), 'updated');
  }

  private restDelete(resource: ResourceName, id: number, force: boolean): Obj {
    const item = this.must(resource, id);
    if (!force && (resource === 'customers' || resource === 'coupons')) {
      throw new RestError(501, 'woocommerce_rest_trash_not_supported', `Resource does not support trashing. Set 'force' to true to delete.`);
    }
    this.store[resource].delete(id);
    this.versions[resource]++;
    this.fire(`${SINGULAR[resource]}.deleted`, { id });
    return item;
  }

  private notesRoute(method: string, orderId: number, noteId: string | undefined, body: Obj) {
    this.must('orders', orderId);
    const notes = this.notes.get(orderId) ?? [];
    if (!noteId && method === 'GET') return { body: [...notes].reverse() };
    if (!noteId && method === 'POST') {
      if (!body.note) throw new RestError(400, 'rest_missing_callback_param', 'Missing parameter(s): note', { params: ['note'] });
      const note = { id: this.nextPostId++, author: 'WooCommerce', date_created: this.stamp(), date_created_gmt: this.stamp(), note: String(body.note), customer_note: Boolean(body.customer_note) };
      notes.push(note);
      this.notes.set(orderId, notes);
      return { status: 201, body: note };
    }
    const idx = notes.findIndex((n) => n.id === Number(noteId));
    if (idx < 0) throw new RestError(404, 'woocommerce_rest_invalid_id', 'Invalid resource ID.');
    if (method === 'GET') return { body: notes[idx] };
    if (method === 'DELETE') return { body: notes.splice(idx, 1)[0] };
    return undefined;
  }

  private webhookRoute(method: string, idPart: string | undefined, q: Record<string, string>, body: Obj) {
    const view = (w: Obj) => {
      const { secret: _s, failure_count: _f, ...rest } = w;
      return rest;
    };
    if (!idPart) {
      if (method === 'GET') {
        let items = [...this.webhooks.values()];
        if (q.status && q.status !== 'all') items = items.filter((w) => w.status === q.status);
        const perPage = Number(q.per_page ?? 10);
        if (!(perPage >= 1 && perPage <= 100)) throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): per_page', { params: { per_page: 'per_page must be between 1 (inclusive) and 100 (inclusive)' } });
        const page = Number(q.page ?? 1);
        return {
          body: items.slice((page - 1) * perPage, page * perPage).map(view),
          headers: { 'x-wp-total': String(items.length), 'x-wp-totalpages': String(Math.ceil(items.length / perPage)) },
        };
      }
      if (method === 'POST') {
        if (!body.topic || !body.delivery_url) {
          throw new RestError(400, 'rest_missing_callback_param', 'Missing parameter(s): topic, delivery_url', { params: ['topic', 'delivery_url'].filter((p) => !body[p]) });
        }
        if (!/^(order|product|customer|coupon)\.(created|updated|deleted|restored)$|^action\./.test(String(body.topic))) {
          throw new RestError(400, 'woocommerce_rest_webhook_invalid_topic', 'Webhook topic is required and must be valid.');
        }
        const id = this.nextWebhookId++;
        const [resource, event] = String(body.topic).split('.');
        const webhook = {
          id,
          name: String(body.name ?? `Webhook created on ${this.stamp()}`),
          status: (['active', 'paused', 'disabled'].includes(body.status) ? body.status : 'active') as WebhookStatus,
          topic: String(body.topic),
          resource: resource!,
          event: event!,
          hooks: [`woocommerce_${body.topic.replace('.', '_')}`],
          delivery_url: String(body.delivery_url),
          date_created: this.stamp(),
          date_created_gmt: this.stamp(),
          date_modified: this.stamp(),
          date_modified_gmt: this.stamp(),
          api_version: 'wp_api_v3',
          secret: String(body.secret ?? crypto.randomBytes(16).toString('hex')),
          failure_count: 0,
        };
        this.webhooks.set(id, webhook);
        // WooCommerce pings a new webhook's URL (`webhook_id=<id>`, form encoded).
        void fetch(webhook.delivery_url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `webhook_id=${id}` }).catch(() => undefined);
        return { status: 201, body: view(webhook) };
      }
      return undefined;
    }
    if (idPart === 'batch') return undefined;
    const webhook = this.webhooks.get(Number(idPart));
    if (!webhook) throw new RestError(404, 'woocommerce_rest_webhook_invalid_id', 'Invalid webhook ID.');
    if (method === 'GET') return { body: view(webhook) };
    if (method === 'PUT' || method === 'POST' || method === 'PATCH') {
      for (const k of ['name', 'delivery_url', 'secret', 'topic'] as const) if (body[k] !== undefined) (webhook as Obj)[k] = String(body[k]);
      if (body.status !== undefined) {
        if (!['active', 'paused', 'disabled'].includes(body.status)) throw new RestError(400, 'rest_invalid_param', 'Invalid parameter(s): status');
        webhook.status = body.status;
        // Re-activating resets the failure count (WC_Webhook::set_status → active).
        if (body.status === 'active') webhook.failure_count = 0;
      }
      webhook.date_modified = webhook.date_modified_gmt = this.stamp();
      return { body: view(webhook) };
    }
    if (method === 'DELETE') {
      if (q.force !== 'true' && q.force !== '1') throw new RestError(501, 'woocommerce_rest_trash_not_supported', 'Webhooks do not support trashing.');
      this.webhooks.delete(webhook.id);
      return { body: view(webhook) };
    }
    return undefined;
  }

  // ---------------------------------------------------------------- entities

  private stamp(d: Date = this.now()): string {
    return d.toISOString().slice(0, 19);
  }

  private dates(input: Obj): Obj {
    const created = input.date_created_gmt ?? input.date_created ?? this.stamp();
    const modified = input.date_modified_gmt ?? input.date_modified ?? created;
    return { date_created: created, date_created_gmt: created, date_modified: modified, date_modified_gmt: modified };
  }

  private newCustomer(input: Obj): Obj {
    const id = input.id ?? this.nextUserId++;
    const email = String(input.email ?? `customer${id}@example.com`).toLowerCase();
    return {
      id,
      ...this.dates(input),
      email,
      first_name: input.first_name ?? '',
      last_name: input.last_name ?? '',
      role: 'customer',
      username: input.username ?? email.split('@')[0],
      billing: { first_name: input.first_name ?? '', last_name: input.last_name ?? '', email, country: 'US', ...(input.billing ?? {}) },
      shipping: { first_name: input.first_name ?? '', last_name: input.last_name ?? '', country: 'US', ...(input.shipping ?? {}) },
      is_paying_customer: false,
      avatar_url: '',
      meta_data: this.metaList([], input.meta_data),
    };
  }

  private newOrder(input: Obj): Obj {
    const id = input.id ?? this.nextPostId++;
    const status = input.status ?? 'pending';
    const lineItems = (input.line_items ?? []).map((li: Obj, i: number) => {
      const product = li.product_id ? this.store.products.get(Number(li.product_id)) : undefined;
      const price = Number(li.price ?? product?.price ?? 10);
      const quantity = Number(li.quantity ?? 1);
      return {
        id: id * 100 + i,
        name: li.name ?? product?.name ?? `Product ${li.product_id ?? i}`,
        product_id: Number(li.product_id ?? 0),
        variation_id: Number(li.variation_id ?? 0),
        quantity,
        subtotal: (price * quantity).toFixed(2),
        total: (price * quantity).toFixed(2),
        sku: li.sku ?? product?.sku ?? '',
        price,
        meta_data: [],
      };
    });
    const itemsTotal = lineItems.reduce((s: number, li: Obj) => s + Number(li.total), 0);
    const dates = this.dates(input);
    const paid = ['processing', 'completed', 'refunded'].includes(status);
    const customer = input.customer_id ? this.store.customers.get(Number(input.customer_id)) : undefined;
    const email = input.billing?.email ?? customer?.email ?? '';
    return {
      id,
      parent_id: 0,
      number: String(id),
      order_key: `wc_order_${crypto.randomBytes(6).toString('hex')}`,
      created_via: 'checkout',
      version: '9.4.0',
      status,
      currency: input.currency ?? 'USD',
      ...dates,
      discount_total: '0.00',
      shipping_total: '0.00',
      total: input.total !== undefined ? Number(input.total).toFixed(2) : itemsTotal.toFixed(2),
      total_tax: '0.00',
      customer_id: Number(input.customer_id ?? 0),
      customer_note: '',
      billing: { first_name: customer?.first_name ?? '', last_name: customer?.last_name ?? '', email, country: 'US', ...(input.billing ?? {}) },
      shipping: { first_name: customer?.first_name ?? '', last_name: customer?.last_name ?? '', country: 'US', ...(input.shipping ?? {}) },
      payment_method: 'bacs',
      payment_method_title: 'Direct bank transfer',
      transaction_id: '',
      date_paid: input.date_paid_gmt ?? (paid ? dates.date_created_gmt : null),
      date_paid_gmt: input.date_paid_gmt ?? (paid ? dates.date_created_gmt : null),
      date_completed: status === 'completed' ? dates.date_modified_gmt : null,
      date_completed_gmt: status === 'completed' ? dates.date_modified_gmt : null,
      meta_data: this.metaList([], input.meta_data),
      line_items: lineItems,
      refunds: input.refunds ?? [],
    };
  }

  private orderPatched(order: Obj, patch: Obj): Obj {
    const next = this.merge(order, patch);
    if (['processing', 'completed', 'refunded'].includes(next.status) && !next.date_paid_gmt) next.date_paid = next.date_paid_gmt = next.date_modified_gmt;
    if (next.status === 'completed' && !next.date_completed_gmt) next.date_completed = next.date_completed_gmt = next.date_modified_gmt;
    return next;
  }

  private newProduct(input: Obj): Obj {
    const id = input.id ?? this.nextPostId++;
    const name = input.name ?? `Product ${id}`;
    return {
      id,
      name,
      slug: String(name).toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      permalink: `${this.url}/product/${id}`,
      ...this.dates(input),
      type: input.type ?? 'simple',
      status: input.status ?? 'publish',
      sku: input.sku ?? '',
      price: '',
      regular_price: input.regular_price ?? '10.00',
      sale_price: input.sale_price ?? '',
      date_on_sale_from: input.date_on_sale_from ?? null,
      date_on_sale_from_gmt: input.date_on_sale_from_gmt ?? input.date_on_sale_from ?? null,
      date_on_sale_to: input.date_on_sale_to ?? null,
      date_on_sale_to_gmt: input.date_on_sale_to_gmt ?? input.date_on_sale_to ?? null,
      on_sale: false,
      manage_stock: input.manage_stock ?? input.stock_quantity !== undefined,
      stock_quantity: input.stock_quantity ?? null,
      stock_status: 'instock',
      categories: input.categories ?? [],
      meta_data: this.metaList([], input.meta_data),
    };
  }

  /** `price` and `on_sale` follow the sale price and its schedule, as WooCommerce computes them. */
  private productPriced(p: Obj): Obj {
    if (p.date_on_sale_from !== undefined && p.date_on_sale_from_gmt === undefined) p.date_on_sale_from_gmt = p.date_on_sale_from;
    const now = this.now().getTime();
    const from = p.date_on_sale_from_gmt ? parseGmt(p.date_on_sale_from_gmt) : -Infinity;
    const to = p.date_on_sale_to_gmt ? parseGmt(p.date_on_sale_to_gmt) : Infinity;
    p.on_sale = p.sale_price !== '' && p.sale_price !== null && now >= from && now <= to;
    p.price = p.on_sale ? p.sale_price : p.regular_price;
    p.stock_status = p.manage_stock && typeof p.stock_quantity === 'number' && p.stock_quantity <= 0 ? 'outofstock' : 'instock';
    return p;
  }

  private newCoupon(input: Obj): Obj {
    const id = input.id ?? this.nextPostId++;
    return this.couponDated({
      id,
      code: String(input.code).toLowerCase(),
      amount: Number(input.amount ?? 0).toFixed(2),
      ...this.dates(input),
      discount_type: input.discount_type ?? 'fixed_cart',
      description: input.description ?? '',
      date_expires: input.date_expires ?? null,
      date_expires_gmt: input.date_expires_gmt ?? input.date_expires ?? null,
      usage_count: 0,
      individual_use: Boolean(input.individual_use),
      product_ids: input.product_ids ?? [],
      excluded_product_ids: input.excluded_product_ids ?? [],
      usage_limit: input.usage_limit ?? null,
      usage_limit_per_user: input.usage_limit_per_user ?? null,
      free_shipping: Boolean(input.free_shipping),
      minimum_amount: input.minimum_amount !== undefined ? Number(input.minimum_amount).toFixed(2) : '0.00',
      maximum_amount: input.maximum_amount !== undefined ? Number(input.maximum_amount).toFixed(2) : '0.00',
      email_restrictions: (input.email_restrictions ?? []).map((e: string) => e.toLowerCase()),
      used_by: [],
      meta_data: this.metaList([], input.meta_data),
    });
  }

  private couponDated(c: Obj): Obj {
    if (c.date_expires && !c.date_expires_gmt) c.date_expires_gmt = c.date_expires;
    if (typeof c.amount === 'number') c.amount = c.amount.toFixed(2);
    return c;
  }

  /** A PUT changes the given fields; meta_data is merged by id, then by key (WooCommerce's update_meta_data). */
  private merge(current: Obj, patch: Obj): Obj {
    const { meta_data, ...rest } = patch;
    const next: Obj = { ...current, ...rest, meta_data: this.metaList(current.meta_data ?? [], meta_data) };
    if (!('date_modified_gmt' in patch) && !('date_modified' in patch)) next.date_modified = next.date_modified_gmt = this.stamp();
    else next.date_modified = next.date_modified_gmt = patch.date_modified_gmt ?? patch.date_modified;
    return next;
  }

  private metaList(current: Obj[], incoming: unknown): Obj[] {
    const list = current.map((m) => ({ ...m }));
    if (!Array.isArray(incoming)) return list;
    for (const m of incoming as Obj[]) {
      const existing = (m.id && list.find((x) => x.id === m.id)) || list.find((x) => x.key === m.key);
      if (existing) {
        if (m.value === null) list.splice(list.indexOf(existing), 1);
        else existing.value = m.value;
      } else if (m.key) list.push({ id: this.nextMetaId++, key: String(m.key), value: m.value });
    }
    return list;
  }

  private must(resource: ResourceName, id: number): Obj {
    const item = this.store[resource].get(id);
    if (!item) throw new RestError(404, `woocommerce_rest_${SINGULAR[resource]}_invalid_id`, 'Invalid ID.');
    return item;
  }

  private save(resource: ResourceName, item: Obj, event: 'created' | 'updated', silent = false): Obj {
    this.store[resource].set(item.id, item);
    this.versions[resource]++;
    if (!silent) this.fire(`${SINGULAR[resource]}.${event}`, item);
    return item;
  }

  // ---------------------------------------------------------------- deliveries

  private fire(topic: string, payload: Obj): void {
    if (this.webhooksDown) return;
    const body = JSON.stringify(payload);
    for (const w of this.webhooks.values()) {
      if (w.status === 'active' && w.topic === topic) this.queue.push({ webhookId: w.id, topic, body });
    }
    this.kick();
  }

  private kick(): void {
    if (this.draining || this.paused || this.queue.length === 0) return;
    this.draining = (async () => {
      while (!this.paused && this.queue.length) await this.deliver(this.queue.shift()!);
    })().finally(() => {
      this.draining = undefined;
      if (!this.paused && this.queue.length) this.kick();
    });
  }

  private async deliver(item: { webhookId: number; topic: string; body: string }): Promise<void> {
    const w = this.webhooks.get(item.webhookId);
    if (!w || w.status !== 'active') return;
    const [resource, event] = item.topic.split('.');
    const deliveryId = crypto.randomUUID();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'WooCommerce/9.4.0 Hookshot (WordPress/6.7)',
      'x-wc-webhook-source': `${this.url}/`,
      'x-wc-webhook-topic': item.topic,
      'x-wc-webhook-resource': resource!,
      'x-wc-webhook-event': event!,
      'x-wc-webhook-signature': crypto.createHmac('sha256', w.secret).update(item.body).digest('base64'),
      'x-wc-webhook-id': String(w.id),
      'x-wc-webhook-delivery-id': deliveryId,
    };
    let status: number | null = null;
    try {
      const res = await fetch(w.delivery_url, { method: 'POST', headers, body: item.body, signal: AbortSignal.timeout(this.options.deliveryTimeoutMs ?? 5000) });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = null;
    }
    // WooCommerce counts a 2xx–302 as delivered (WC_Webhook::log_delivery).
    const ok = status !== null && status >= 200 && status < 303;
    this.deliveries.push({ webhookId: w.id, topic: item.topic, deliveryId, url: w.delivery_url, status, ok, at: Date.now() });
    if (ok) w.failure_count = 0;
    else if (++w.failure_count >= (this.options.maxDeliveryFailures ?? 5)) w.status = 'disabled';
  }
}

class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Obj = {},
  ) {
    super(message);
  }
}

function isResource(s: string): s is ResourceName {
  return s === 'customers' || s === 'orders' || s === 'products' || s === 'coupons';
}

/** PHP's rawurlencode (RFC 3986). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function parseGmt(s: unknown): number {
  if (typeof s !== 'string' || !s) return Number.NaN;
  return Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export async function startWooEmulator(options: EmulatorOptions = {}): Promise<WooEmulator> {
  return new WooEmulator(options).start();
}
