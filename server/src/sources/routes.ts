import crypto from 'node:crypto';
import { ingestResultSchema, sourceCreatedSchema, sourceInputSchema, sourceSchema } from '@tripline/shared';
import express, { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { safeEqual } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import { findConnection } from '../db/source-sync.ts';
import { claimDeliveryKeys, findSourceOfKind, insertSource, listSources, setSourceSecret } from '../db/sources.ts';
import { HttpError, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { isWooTopic, WOOCOMMERCE_TOPICS, type WooTopic } from './woocommerce-map.ts';
import { newSourceId, newSourceSecret, toSource } from './source-view.ts';
import { applyWooChange } from './woocommerce/apply.ts';
import { connectSource, disconnectSource } from './woocommerce/connect-source.ts';

const tag = 'Sources';
const access = 'sources:manage';

export function sourcesRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/sources', access, tag, summary: 'Connected stores (event sources)', response: z.object({ data: z.array(sourceSchema) }) }, async () => ({
    data: (await listSources(ctx.pool)).map(toSource),
  }));

  route(
    {
      method: 'post',
      path: '/sources',
      access,
      tag,
      summary:
        'Add a store; answers the webhook secret this once. With storeUrl, consumerKey and consumerSecret Tripline connects itself: checks the keys (422 store_url_refused, public_url_missing, store_unreachable, not_woocommerce, keys_refused, keys_read_only), registers its webhooks and imports the history',
      body: sourceInputSchema,
      response: sourceCreatedSchema,
      status: 201,
    },
    async ({ req, body: input }) => {
      if (input.storeUrl !== undefined && input.consumerKey !== undefined && input.consumerSecret !== undefined) {
        return connectSource(ctx, req, { ...input, storeUrl: input.storeUrl, consumerKey: input.consumerKey, consumerSecret: input.consumerSecret });
      }
      const id = newSourceId();
      const secret = newSourceSecret();
      const row = await withTransaction(ctx.pool, async (tx) => {
        const created = await insertSource(tx, { id, kind: input.kind, name: input.name, secretEnc: ctx.secrets.encrypt(secret) });
        await recordAudit(tx, actorFrom(req), { action: 'source.create', targetType: 'source', targetId: id, after: toSource(created) });
        return created;
      });
      return { ...toSource(row), secret };
    },
  );

  route(
    {
      method: 'delete',
      path: '/sources/:id',
      access,
      tag,
      summary: 'Disconnect a store: the webhooks Tripline registered in it are removed, its webhooks are refused from now on (events already received stay)',
      status: 204,
    },
    async ({ req, params }) => {
      const id = params.id!;
      await disconnectSource(ctx, req, id, await findConnection(ctx.pool, id));
    },
  );

  route(
    { method: 'post', path: '/sources/:id/rotate-secret', access, tag, summary: 'A new webhook secret, answered this once; the old one stops at once', response: sourceCreatedSchema },
    async ({ req, res, params }) => {
      const id = params.id!;
      const secret = newSourceSecret();
      const row = await withTransaction(ctx.pool, async (tx) => {
        const updated = await setSourceSecret(tx, id, ctx.secrets.encrypt(secret));
        if (!updated) throw notFound('source', id);
        // WooCommerce holds one secret per webhook, so there is no grace period: paste the new one there.
        await recordAudit(tx, actorFrom(req), { action: 'source.rotate_secret', targetType: 'source', targetId: id, after: { rotated: true } });
        return updated;
      });
      res.setHeader('Cache-Control', 'no-store');
      return { ...toSource(row), secret };
    },
  );
  return router;
}

// The retention prune (console/retention.ts) imports it from here.
export { pruneSourceDeliveries } from '../db/sources.ts';

/**
 * Mounted before JSON parsing: the signature covers the exact bytes WooCommerce sent.
 * Order of checks: unknown source 404, ping 200, signature 401, topic 422, then the
 * delivery id makes the whole thing idempotent (a redelivery answers 200, stores nothing).
 */
export function ingestRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);
  route(
    {
      method: 'post',
      path: '/ingest/woocommerce/:sourceId',
      access: { public: "WooCommerce signs each webhook with the source's secret (X-WC-Webhook-Signature), checked here" },
      tag,
      summary: "WooCommerce's own webhooks, verified with X-WC-Webhook-Signature and mapped to canonical events",
      response: ingestResultSchema,
      use: [express.raw({ type: () => true, limit: '1mb' })],
    },
    async ({ req, params }) => {
      const sourceId = params.sourceId!;
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const source = await findSourceOfKind(ctx.pool, sourceId, 'woocommerce');
      if (!source) throw notFound('source', sourceId);

      const topic = req.get('x-wc-webhook-topic');
      const signature = req.get('x-wc-webhook-signature');
      if (!topic && !signature && /^webhook_id=\d+$/.test(raw.toString('utf8').trim())) {
        // WooCommerce pings the URL when the webhook is saved and keeps it only on a 2xx.
        return { received: true, ping: true, events: [] };
      }

      const expected = crypto.createHmac('sha256', ctx.secrets.decrypt(source.secret_enc)).update(raw).digest();
      const given = Buffer.from(signature ?? '', 'base64');
      if (!signature || !safeEqual(given, expected)) {
        throw new HttpError(401, 'invalid_signature', "X-WC-Webhook-Signature is missing or does not match the body signed with this source's secret");
      }
      if (!topic || !isWooTopic(topic)) {
        throw new HttpError(
          422,
          'unsupported_topic',
          `WooCommerce topic "${topic ?? '(none)'}" is not supported; choose one of ${WOOCOMMERCE_TOPICS.join(', ')} in WooCommerce → Settings → Advanced → Webhooks`,
        );
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new HttpError(400, 'malformed_json', 'the webhook body is not valid JSON');
      }
      const deliveryId = req.get('x-wc-webhook-delivery-id') || `sha256:${crypto.createHash('sha256').update(raw).digest('hex')}`;
      return withTransaction(ctx.pool, (tx) => applyWooDelivery(tx, { sourceId, topic, deliveryId, raw, body }));
    },
  );
  return router;
}

/**
 * Maps one verified WooCommerce delivery to events and stores them, once. The delivery id
 * is not covered by the signature: anyone holding one signed body could resend it under new
 * ids. So the signed body itself (per topic) is a key too, and a delivery is new only when
 * neither key has been seen. The entity's stored state makes a change the reconcile poll
 * already found map to nothing here (applyWooChange).
 */
async function applyWooDelivery(
  tx: PoolClient,
  d: { sourceId: string; topic: WooTopic; deliveryId: string; raw: Buffer; body: unknown },
) {
  const { sourceId, topic, deliveryId, body } = d;
  const bodyKey = `body:${topic}:${crypto.createHash('sha256').update(d.raw).digest('hex')}`;
  const keys = [...new Set([deliveryId, bodyKey])];
  if ((await claimDeliveryKeys(tx, sourceId, keys)) !== keys.length) return { received: true, duplicate: true, topic, events: [] };
  // Derived from the delivery id: the same delivery always yields the same event ids.
  const envelopes = await applyWooChange(tx, { sourceId, topic, body, seed: deliveryId, mode: 'live' });
  return { received: true, topic, events: envelopes.map((e) => ({ id: e.id, type: e.type })) };
}
