import crypto from 'node:crypto';
import { eventCatalog, ingestResultSchema, sourceCreatedSchema, sourceInputSchema, sourceSchema, type EventEnvelope } from '@tripline/shared';
import express, { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { safeEqual } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction, type PoolClient } from '../db/pool.ts';
import {
  claimDeliveryKeys,
  deleteSource,
  findSource,
  findSourceOfKind,
  insertSource,
  listSources,
  lockEntityState,
  saveEntityState,
  setSourceSecret,
  type SourceRow,
} from '../db/sources.ts';
import { storeEvents, toEnvelope } from '../engine/store-events.ts';
import { HttpError, invalid, notFound, zodDetails } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { isWooTopic, mapWooCommerce, WOOCOMMERCE_TOPICS, WooPayloadError, type EntityState, type WooTopic } from './woocommerce-map.ts';

const tag = 'Sources';
const access = 'sources:manage';

function toSource(row: SourceRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    deliveryPath: `/api/v1/ingest/${row.kind}/${row.id}`,
    createdAt: row.created_at.toISOString(),
    lastReceivedAt: row.last_received_at ? row.last_received_at.toISOString() : null,
  };
}

export function sourcesRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/sources', access, tag, summary: 'Connected stores (event sources)', response: z.object({ data: z.array(sourceSchema) }) }, async () => ({
    data: (await listSources(ctx.pool)).map(toSource),
  }));

  route(
    { method: 'post', path: '/sources', access, tag, summary: 'Connect a store; answers the webhook secret this once', body: sourceInputSchema, response: sourceCreatedSchema, status: 201 },
    async ({ req, body: input }) => {
      const id = `src_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
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
    { method: 'delete', path: '/sources/:id', access, tag, summary: 'Disconnect a store: its webhooks are refused from now on (events already received stay)', status: 204 },
    async ({ req, params }) => {
      const id = params.id!;
      await withTransaction(ctx.pool, async (tx) => {
        const source = await findSource(tx, id, true);
        if (!source) throw notFound('source', id);
        await deleteSource(tx, id);
        await recordAudit(tx, actorFrom(req), { action: 'source.delete', targetType: 'source', targetId: id, before: toSource(source) });
      });
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

/** WooCommerce uses the secret as a plain HMAC key: any string will do; this one is 192 random bits. */
function newSourceSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
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
 * neither key has been seen.
 */
async function applyWooDelivery(
  tx: PoolClient,
  d: { sourceId: string; topic: WooTopic; deliveryId: string; raw: Buffer; body: unknown },
) {
  const { sourceId, topic, deliveryId, body } = d;
  const bodyKey = `body:${topic}:${crypto.createHash('sha256').update(d.raw).digest('hex')}`;
  const keys = [...new Set([deliveryId, bodyKey])];
  if ((await claimDeliveryKeys(tx, sourceId, keys)) !== keys.length) return { received: true, duplicate: true, topic, events: [] };
  const entity = { sourceId, kind: topic.split('.')[0]!, entityId: body && typeof body === 'object' && 'id' in body ? String((body as { id: unknown }).id) : '' };
  const previous = await lockEntityState<EntityState>(tx, entity);
  let mapping;
  try {
    mapping = mapWooCommerce(topic, body, previous ?? undefined);
  } catch (error) {
    if (error instanceof WooPayloadError) throw invalid(`the ${topic} body cannot be read: ${error.message}`);
    throw error;
  }
  const seed = crypto.createHash('sha256').update(`${sourceId}\n${deliveryId}`).digest('hex').slice(0, 32);
  const envelopes: EventEnvelope[] = mapping.events.map((event, i) => {
    const parsed = eventCatalog[event.type].schema.safeParse(event.data);
    if (!parsed.success) {
      throw invalid(`the ${topic} body does not make a valid ${event.type} event`, zodDetails(parsed.error, ['data']));
    }
    // Derived from the delivery id: the same delivery always yields the same event ids.
    return toEnvelope({ id: `evt_wc_${seed}_${i}`, type: event.type, occurredAt: event.occurredAt, source: `woocommerce:${sourceId}`, data: parsed.data as Record<string, unknown> });
  });
  if (mapping.state) await saveEntityState(tx, entity, mapping.state);
  await storeEvents(tx, envelopes);
  return { received: true, topic, events: envelopes.map((e) => ({ id: e.id, type: e.type })) };
}
