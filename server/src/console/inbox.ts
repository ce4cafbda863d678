import crypto from 'node:crypto';
import { inboxCreatedSchema, inboxCreateSchema, inboxMessageSchema, inboxSchema, pageSchema, type Inbox, type InboxMessage } from '@tripline/shared';
import express, { Router, type Request } from 'express';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { generateSigningSecret } from '../delivery/signing.ts';
import { HttpError, notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import type { LocalReceiver } from '../delivery/worker.ts';
import type { SecretCipher } from '../secrets/cipher.ts';

interface Queryable {
  query: (text: string, values?: unknown[]) => Promise<{ rows: unknown[] }>;
}

/** Path of an inbox's public receiving route. */
export const INBOX_PATH = /^\/api\/v1\/inbox\/(inb_[a-f0-9]{32})\/?$/;
const MAX_BODY = 1024 * 1024;
const KEEP_PER_INBOX = 500;

export function inboxUrl(selfBaseUrl: string, inboxId: string): string {
  return `${selfBaseUrl.replace(/\/+$/, '')}/api/v1/inbox/${inboxId}`;
}

/**
 * Whether a URL is one of this Tripline's own inboxes (same origin as `selfBaseUrl`, inbox
 * path). Pure: returns the inbox id, or null. Prefer `findInboxForUrl`, which needs no
 * base URL: it matches the exact URL stored when the inbox was created.
 */
export function isInboxUrl(url: string, selfBaseUrl: string): string | null {
  let u: URL;
  let self: URL;
  try {
    u = new URL(url);
    self = new URL(selfBaseUrl);
  } catch {
    return null;
  }
  if (u.origin !== self.origin || u.search || u.hash) return null;
  return INBOX_PATH.exec(u.pathname)?.[1] ?? null;
}

/**
 * For the delivery worker: the inbox id when `url` is exactly the URL of an inbox this
 * Tripline created, else null. Such a delivery is handed to `receiveInboxMessage` in the
 * worker's process, so no socket is opened and the SSRF guard (which keeps refusing
 * loopback) is never asked to make an exception.
 */
export async function findInboxForUrl(db: Queryable, url: string): Promise<string | null> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const id = INBOX_PATH.exec(u.pathname)?.[1];
  if (!id) return null;
  const { rows } = await db.query('select id from inboxes where id = $1 and url = $2', [id, url]);
  return rows.length > 0 ? id : null;
}

export interface InboxReceipt {
  /** What an HTTP receiver would have answered: 202 stored, 404 no such inbox, 413 too large. */
  status: number;
  body: string;
  verified: boolean;
  messageId?: number;
}

/**
 * Stores one request an inbox received and verifies its Standard Webhooks signature with
 * the inbox endpoint's secret (and, during a rotation, the previous one) using the
 * `standardwebhooks` library, as any receiver would. Used by the public route and, in-process,
 * by the delivery worker (`headers` with lower-case names, `rawBody` exactly as sent).
 */
export async function receiveInboxMessage(
  deps: { db: Queryable; secrets: SecretCipher },
  inboxId: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
): Promise<InboxReceipt> {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  if (Buffer.byteLength(body) > MAX_BODY) return { status: 413, body: '{"error":"payload too large"}', verified: false };
  const { rows } = await deps.db.query(
    `select i.id, e.secret_enc, e.previous_secret_enc, e.previous_secret_expires_at > now() as previous_valid
       from inboxes i left join endpoints e on e.id = i.endpoint_id where i.id = $1`,
    [inboxId],
  );
  const inbox = rows[0] as { id: string; secret_enc: string | null; previous_secret_enc: string | null; previous_valid: boolean | null } | undefined;
  if (!inbox) return { status: 404, body: '{"error":"no such inbox"}', verified: false };

  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  const secrets: string[] = [];
  if (inbox.secret_enc) secrets.push(deps.secrets.decrypt(inbox.secret_enc));
  if (inbox.previous_secret_enc && inbox.previous_valid) secrets.push(deps.secrets.decrypt(inbox.previous_secret_enc));

  let verified = false;
  let verifyError: string | null = secrets.length === 0 ? 'the inbox has no endpoint secret to verify with (its endpoint was deleted)' : null;
  for (const secret of secrets) {
    try {
      new Webhook(secret).verify(body, flat);
      verified = true;
      verifyError = null;
      break;
    } catch (error) {
      verifyError = (error as Error).message;
    }
  }
  let eventType: string | null = null;
  try {
    const parsed = JSON.parse(body) as { type?: unknown };
    if (typeof parsed.type === 'string') eventType = parsed.type.slice(0, 100);
  } catch {
    /* not JSON: stored as text */
  }
  const inserted = await deps.db.query(
    `insert into inbox_messages (inbox_id, headers, body, webhook_id, event_type, signature_verified, verify_error)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [inboxId, JSON.stringify(flat), body, flat['webhook-id']?.slice(0, 200) ?? null, eventType, verified, verifyError],
  );
  const messageId = (inserted.rows[0] as { id: number }).id;
  // Keep the newest messages only: an inbox subscribed to `*` under the simulator fills fast.
  await deps.db.query(
    `delete from inbox_messages where inbox_id = $1 and id < (
       select id from inbox_messages where inbox_id = $1 order by id desc offset $2 limit 1)`,
    [inboxId, KEEP_PER_INBOX],
  );
  return { status: 202, body: JSON.stringify({ received: true, signatureVerified: verified }), verified, messageId };
}

/**
 * For the delivery worker's `localReceiver` hook: a request to one of this Tripline's own
 * inbox URLs is handed to `receiveInboxMessage` in-process (no socket, so the SSRF guard
 * keeps refusing loopback); any other URL answers null and goes out over HTTP as usual.
 *
 *   startDeliveryWorkers(ctx, { localReceiver: inboxLocalReceiver(ctx) })
 */
export function inboxLocalReceiver(ctx: Pick<AppContext, 'pool' | 'secrets'>): LocalReceiver {
  return async (request) => {
    if (!INBOX_PATH.test(safePath(request.url))) return null;
    const inboxId = await findInboxForUrl(ctx.pool, request.url);
    if (!inboxId) return null;
    const receipt = await receiveInboxMessage({ db: ctx.pool, secrets: ctx.secrets }, inboxId, request.headers, request.body);
    return { status: receipt.status, headers: { 'content-type': 'application/json' }, body: receipt.body };
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

interface InboxRow {
  id: string;
  name: string;
  url: string;
  endpoint_id: string | null;
  created_at: Date;
  message_count: number;
}
const toInbox = (r: InboxRow): Inbox => ({
  id: r.id,
  name: r.name,
  url: r.url,
  endpointId: r.endpoint_id,
  createdAt: r.created_at.toISOString(),
  messageCount: r.message_count,
});

interface MessageRow {
  id: number;
  inbox_id: string;
  received_at: Date;
  headers: Record<string, string>;
  body: string;
  webhook_id: string | null;
  event_type: string | null;
  signature_verified: boolean;
  verify_error: string | null;
}
const toMessage = (r: MessageRow): InboxMessage => ({
  id: r.id,
  inboxId: r.inbox_id,
  receivedAt: r.received_at.toISOString(),
  headers: r.headers,
  body: r.body,
  webhookId: r.webhook_id,
  eventType: r.event_type,
  signatureVerified: r.signature_verified,
  verifyError: r.verify_error,
});

/** The base URL receivers reach this Tripline at, as the caller creating the inbox sees it. */
function selfBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

const messagesQuery = z.object({
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

describeRoute({ method: 'get', path: '/api/v1/inboxes', tag: 'Console', summary: 'Built-in test inboxes', response: z.object({ data: z.array(inboxSchema) }) });
describeRoute({
  method: 'post',
  path: '/api/v1/inboxes',
  tag: 'Console',
  summary: 'Create a test inbox and the endpoint that delivers to it; answers the signing secret once',
  body: inboxCreateSchema,
  response: inboxCreatedSchema,
  status: 201,
});
describeRoute({ method: 'get', path: '/api/v1/inboxes/:id', tag: 'Console', summary: 'One inbox', response: inboxSchema });
describeRoute({ method: 'delete', path: '/api/v1/inboxes/:id', tag: 'Console', summary: 'Delete an inbox and its endpoint', status: 204 });
describeRoute({
  method: 'get',
  path: '/api/v1/inboxes/:id/messages',
  tag: 'Console',
  summary: 'Requests the inbox received, newest first, with headers, body and whether the signature verified',
  response: pageSchema(inboxMessageSchema),
});
describeRoute({ method: 'post', path: '/api/v1/inbox/:id', tag: 'Console', summary: 'Public receiving URL of a test inbox (any body)', status: 202, auth: false });

export function inboxRouter(ctx: AppContext): Router {
  const router = Router();
  const inboxSelect = `select i.id, i.name, i.url, i.endpoint_id, i.created_at,
                              (select count(*)::int from inbox_messages m where m.inbox_id = i.id) as message_count
                         from inboxes i`;

  router.get('/inboxes', authorize('endpoints:read'), async (_req, res) => {
    const { rows } = await ctx.pool.query<InboxRow>(`${inboxSelect} order by i.created_at desc`);
    res.json({ data: rows.map(toInbox) });
  });

  router.post('/inboxes', authorize('endpoints:write'), async (req, res) => {
    const input = parseOr422(inboxCreateSchema, req.body ?? {});
    const id = `inb_${crypto.randomUUID().replaceAll('-', '')}`;
    const endpointId = `ep_${crypto.randomUUID().replaceAll('-', '')}`;
    const url = inboxUrl(selfBaseUrl(req), id);
    const secret = generateSigningSecret();
    const created = await withTransaction(ctx.pool, async (tx) => {
      // The endpoint row is written here, not through POST /endpoints, because its URL is
      // Tripline's own: the SSRF guard rightly refuses loopback for everything else.
      await tx.query(
        `insert into endpoints (id, url, description, event_types, secret_enc) values ($1, $2, $3, $4, $5)`,
        [endpointId, url, `Test inbox: ${input.name}`, input.eventTypes, ctx.secrets.encrypt(secret)],
      );
      const { rows } = await tx.query<InboxRow>(
        `insert into inboxes (id, name, url, endpoint_id) values ($1, $2, $3, $4)
         returning id, name, url, endpoint_id, created_at, 0 as message_count`,
        [id, input.name, url, endpointId],
      );
      const inbox = toInbox(rows[0]!);
      await recordAudit(tx, actorFrom(req), { action: 'inbox.created', targetType: 'inbox', targetId: id, after: { ...inbox, eventTypes: input.eventTypes } });
      await recordAudit(tx, actorFrom(req), { action: 'endpoint.created', targetType: 'endpoint', targetId: endpointId, after: { url, eventTypes: input.eventTypes, inboxId: id } });
      return inbox;
    });
    res.status(201).json({ ...created, secret });
  });

  router.get('/inboxes/:id', authorize('endpoints:read'), async (req, res) => {
    const { rows } = await ctx.pool.query<InboxRow>(`${inboxSelect} where i.id = $1`, [req.params.id]);
    if (!rows[0]) throw notFound('inbox', String(req.params.id));
    res.json(toInbox(rows[0]));
  });

  router.delete('/inboxes/:id', authorize('endpoints:write'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<{ endpoint_id: string | null; name: string }>(`delete from inboxes where id = $1 returning endpoint_id, name`, [id]);
      if (!rows[0]) throw notFound('inbox', id);
      if (rows[0].endpoint_id) await tx.query(`delete from endpoints where id = $1`, [rows[0].endpoint_id]);
      await recordAudit(tx, actorFrom(req), { action: 'inbox.deleted', targetType: 'inbox', targetId: id, before: rows[0] });
    });
    res.status(204).end();
  });

  router.get('/inboxes/:id/messages', authorize('endpoints:read'), async (req, res) => {
    const { cursor, limit } = parseOr422(messagesQuery, req.query, 'query');
    const id = String(req.params.id);
    const exists = await ctx.pool.query('select 1 from inboxes where id = $1', [id]);
    if (exists.rowCount === 0) throw notFound('inbox', id);
    const { rows } = await ctx.pool.query<MessageRow>(
      `select id, inbox_id, received_at, headers, body, webhook_id, event_type, signature_verified, verify_error
         from inbox_messages where inbox_id = $1 and ($2::bigint is null or id < $2) order by id desc limit $3`,
      [id, cursor ?? null, limit + 1],
    );
    const page = rows.slice(0, limit);
    res.json({ data: page.map(toMessage), nextCursor: rows.length > limit ? String(page.at(-1)!.id) : null });
  });

  return router;
}

/** POST /api/v1/inbox/:id: public (receivers are anonymous), raw body so signatures verify. */
export function inboxReceiverRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/inbox/:id', express.raw({ type: () => true, limit: MAX_BODY }), async (req, res) => {
    const id = String(req.params.id);
    if (!/^inb_[a-f0-9]{32}$/.test(id)) throw new HttpError(404, 'not_found', `inbox "${id}" does not exist`);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const receipt = await receiveInboxMessage({ db: ctx.pool, secrets: ctx.secrets }, id, req.headers, raw);
    res.status(receipt.status).type('application/json').send(receipt.body);
  });
  return router;
}
