import crypto from 'node:crypto';
import { inboxCreatedSchema, inboxCreateSchema, inboxMessageSchema, inboxSchema, pageSchema } from '@tripline/shared';
import express, { Router, type Request } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import type { Inbox } from '@tripline/shared';
import { deleteInbox, findInbox, inboxExists, insertInbox, listInboxes, listInboxMessages } from '../db/console.ts';
import { findEndpoint, insertEndpoint } from '../db/endpoints.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { generateSigningSecret } from '../delivery/signing.ts';
import { endpointDeleted } from '../delivery/state-machine.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import type { Ports } from '../bus.ts';
import type { SecretCipher } from '../secrets/cipher.ts';
import { inboxReceiptBatcher, MAX_INBOX_BODY, receiveInboxRequests, type InboxReceipt } from './inbox-receipts.ts';

/** Path of an inbox's public receiving route. */
export const INBOX_PATH = /^\/api\/v1\/inbox\/(inb_[a-f0-9]{32})\/?$/;

export function inboxUrl(selfBaseUrl: string, inboxId: string): string {
  return `${selfBaseUrl.replace(/\/+$/, '')}/api/v1/inbox/${inboxId}`;
}

/**
 * An inbox and the endpoint that delivers to it, in the caller's transaction. The endpoint
 * row is written here, not through POST /endpoints, because its URL is Tripline's own:
 * the SSRF guard rightly refuses loopback for everything else.
 */
export async function createInbox(
  ctx: Pick<AppContext, 'secrets'>,
  tx: PoolClient,
  inbox: { id: string; name: string; url: string; endpointId: string; description: string; eventTypes: string[]; secret: string },
): Promise<Inbox> {
  await insertEndpoint(tx, {
    id: inbox.endpointId,
    url: inbox.url,
    description: inbox.description,
    eventTypes: inbox.eventTypes,
    filter: null,
    enabled: true,
    disabledReason: null,
    rateLimitPerSecond: null,
    maxConcurrency: null,
    headers: {},
    auth: { kind: 'none' },
    authSecretEnc: null,
    secretEnc: ctx.secrets.encrypt(inbox.secret),
  });
  return insertInbox(tx, { id: inbox.id, name: inbox.name, url: inbox.url, endpointId: inbox.endpointId });
}

/**
 * Whether a URL is one of this Tripline's own inboxes (same origin as `selfBaseUrl`, inbox
 * path). Pure: returns the inbox id, or null. The delivery worker needs no base URL: it
 * matches the exact URL stored when the inbox was created (`inboxLocalReceiver`).
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
 * Stores one request an inbox received (its signature verified as any receiver would):
 * `receiveInboxRequests` for a single request. The public route and the delivery worker go
 * through a batcher instead (inbox-receipts.ts).
 */
export async function receiveInboxMessage(
  deps: { db: Queryable; secrets: SecretCipher },
  inboxId: string,
  headers: Record<string, string | string[] | undefined>,
  rawBody: string | Buffer,
): Promise<InboxReceipt> {
  const [receipt] = await receiveInboxRequests(deps, [{ inboxId, headers, body: rawBody }]);
  return receipt!;
}

/**
 * For the delivery worker's `localReceiver` hook: a request to one of this Tripline's own
 * inbox URLs (exactly the URL stored when the inbox was created) is received in-process,
 * batched with the others the worker is sending (no socket, so the SSRF guard keeps
 * refusing loopback); any other URL answers null and goes out over HTTP as usual.
 *
 *   ctx.bus.provide('localReceiver', inboxLocalReceiver(ctx))   (console/feature.ts)
 */
export function inboxLocalReceiver(
  ctx: Pick<AppContext, 'pool' | 'secrets'>,
  receive = inboxReceiptBatcher({ db: ctx.pool, secrets: ctx.secrets }),
): Ports['localReceiver'] {
  return async (request) => {
    const inboxId = INBOX_PATH.exec(safePath(request.url))?.[1];
    if (!inboxId) return null;
    const receipt = await receive({ inboxId, url: request.url, headers: request.headers, body: request.body });
    return receipt && { status: receipt.status, headers: { 'content-type': 'application/json' }, body: receipt.body };
  };
}

function safePath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '';
  }
}

/** The base URL receivers reach this Tripline at, as the caller creating the inbox sees it. */
function selfBaseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}`;
}

const messagesQuery = z.object({
  cursor: z.string().regex(/^\d+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const tag = 'Console';

export function inboxRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/inboxes', access: 'endpoints:read', tag, summary: 'Built-in test inboxes', response: z.object({ data: z.array(inboxSchema) }) }, async () => ({
    data: await listInboxes(ctx.pool),
  }));

  route(
    {
      method: 'post',
      path: '/inboxes',
      access: 'endpoints:write',
      tag,
      summary: 'Create a test inbox and the endpoint that delivers to it; answers the signing secret once',
      body: inboxCreateSchema,
      response: inboxCreatedSchema,
      status: 201,
    },
    async ({ req, body: input }) => {
      const id = `inb_${crypto.randomUUID().replaceAll('-', '')}`;
      const endpointId = `ep_${crypto.randomUUID().replaceAll('-', '')}`;
      const url = inboxUrl(selfBaseUrl(req), id);
      const secret = generateSigningSecret();
      const created = await withTransaction(ctx.pool, async (tx) => {
        const inbox = await createInbox(ctx, tx, { id, name: input.name, url, endpointId, description: `Test inbox: ${input.name}`, eventTypes: input.eventTypes, secret });
        await recordAudit(tx, actorFrom(req), { action: 'inbox.created', targetType: 'inbox', targetId: id, after: { ...inbox, eventTypes: input.eventTypes } });
        await recordAudit(tx, actorFrom(req), { action: 'endpoint.created', targetType: 'endpoint', targetId: endpointId, after: { url, eventTypes: input.eventTypes, inboxId: id } });
        return inbox;
      });
      return { ...created, secret };
    },
  );

  route({ method: 'get', path: '/inboxes/:id', access: 'endpoints:read', tag, summary: 'One inbox', response: inboxSchema }, async ({ params }) => {
    const inbox = await findInbox(ctx.pool, params.id!);
    if (!inbox) throw notFound('inbox', params.id!);
    return inbox;
  });

  route({ method: 'delete', path: '/inboxes/:id', access: 'endpoints:write', tag, summary: 'Delete an inbox and its endpoint', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    await withTransaction(ctx.pool, async (tx) => {
      const deleted = await deleteInbox(tx, id);
      if (!deleted) throw notFound('inbox', id);
      const endpoint = deleted.endpoint_id ? await findEndpoint(tx, deleted.endpoint_id, true) : undefined;
      if (endpoint) await endpointDeleted(ctx, tx, endpoint);
      await recordAudit(tx, actorFrom(req), { action: 'inbox.deleted', targetType: 'inbox', targetId: id, before: deleted });
    });
  });

  route(
    {
      method: 'get',
      path: '/inboxes/:id/messages',
      access: 'endpoints:read',
      tag,
      summary: 'Requests the inbox received, newest first, with headers, body and whether the signature verified',
      query: messagesQuery,
      response: pageSchema(inboxMessageSchema),
    },
    async ({ params, query: { cursor, limit } }) => {
      const id = params.id!;
      if (!(await inboxExists(ctx.pool, id))) throw notFound('inbox', id);
      return listInboxMessages(ctx.pool, id, cursor, limit);
    },
  );

  return router;
}

/** POST /api/v1/inbox/:id: public (receivers are anonymous), raw body so signatures verify. */
export function inboxReceiverRouter(ctx: AppContext): Router {
  const receive = inboxReceiptBatcher({ db: ctx.pool, secrets: ctx.secrets });
  const router = Router();
  const route = declareRoutes(router);
  route(
    {
      method: 'post',
      path: '/inbox/:id',
      access: { public: 'a test receiver: anyone may send to it, and each message records whether its signature verified' },
      tag,
      summary: 'Public receiving URL of a test inbox (any body)',
      status: 202,
      use: [express.raw({ type: () => true, limit: MAX_INBOX_BODY })],
    },
    async ({ req, res, params }) => {
      const id = params.id!;
      if (!/^inb_[a-f0-9]{32}$/.test(id)) throw new HttpError(404, 'not_found', `inbox "${id}" does not exist`);
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const receipt = (await receive({ inboxId: id, headers: req.headers, body: raw }))!;
      res.status(receipt.status).type('application/json').send(receipt.body);
    },
  );
  return router;
}
