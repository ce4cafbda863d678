import crypto from 'node:crypto';
import { eventCatalog, ingestResultSchema, sourceCreatedSchema, sourceInputSchema, sourceSchema, type EventEnvelope } from '@tripline/shared';
import express, { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize, safeEqual } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { storeEvents, toEnvelope } from '../engine/store-events.ts';
import { HttpError, invalid, notFound, parseOr422, zodDetails } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { isWooTopic, mapWooCommerce, WOOCOMMERCE_TOPICS, WooPayloadError, type EntityState } from './woocommerce-map.ts';

describeRoute({ method: 'get', path: '/api/v1/sources', tag: 'Sources', summary: 'Connected stores (event sources)', response: z.object({ data: z.array(sourceSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/sources', tag: 'Sources', summary: 'Connect a store; answers the webhook secret this once', body: sourceInputSchema, response: sourceCreatedSchema, status: 201 });
describeRoute({ method: 'delete', path: '/api/v1/sources/:id', tag: 'Sources', summary: 'Disconnect a store: its webhooks are refused from now on (events already received stay)', status: 204 });
describeRoute({ method: 'post', path: '/api/v1/sources/:id/rotate-secret', tag: 'Sources', summary: 'A new webhook secret, answered this once; the old one stops at once', response: sourceCreatedSchema });
describeRoute({
  method: 'post',
  path: '/api/v1/ingest/woocommerce/:sourceId',
  tag: 'Sources',
  summary: "WooCommerce's own webhooks, verified with X-WC-Webhook-Signature and mapped to canonical events",
  response: ingestResultSchema,
  auth: false,
});

interface SourceRow {
  id: string;
  kind: 'woocommerce';
  name: string;
  secret_enc: string;
  created_at: Date;
  last_received_at?: Date | null;
}

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
  router.get('/sources', authorize('sources:manage'), async (_req, res) => {
    const { rows } = await ctx.pool.query<SourceRow>(
      `select s.*, (select max(received_at) from source_deliveries d where d.source_id = s.id) as last_received_at
         from sources s order by s.created_at desc`,
    );
    res.json({ data: rows.map(toSource) });
  });

  router.post('/sources', authorize('sources:manage'), async (req, res) => {
    const input = parseOr422(sourceInputSchema, req.body);
    const id = `src_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const secret = newSourceSecret();
    const row = await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<SourceRow>(
        'insert into sources (id, kind, name, secret_enc) values ($1, $2, $3, $4) returning *',
        [id, input.kind, input.name, ctx.secrets.encrypt(secret)],
      );
      await recordAudit(tx, actorFrom(req), { action: 'source.create', targetType: 'source', targetId: id, after: toSource(rows[0]!) });
      return rows[0]!;
    });
    res.status(201).json({ ...toSource(row), secret });
  });

  router.delete('/sources/:id', authorize('sources:manage'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<SourceRow>('select * from sources where id = $1 for update', [id]);
      if (!rows[0]) throw notFound('source', id);
      // Its de-duplication keys and entity state go with it (on delete cascade); its events stay.
      await tx.query('delete from sources where id = $1', [id]);
      await recordAudit(tx, actorFrom(req), { action: 'source.delete', targetType: 'source', targetId: id, before: toSource(rows[0]) });
    });
    res.status(204).end();
  });

  router.post('/sources/:id/rotate-secret', authorize('sources:manage'), async (req, res) => {
    const id = String(req.params.id);
    const secret = newSourceSecret();
    const row = await withTransaction(ctx.pool, async (tx) => {
      const { rows } = await tx.query<SourceRow>('update sources set secret_enc = $2 where id = $1 returning *', [id, ctx.secrets.encrypt(secret)]);
      if (!rows[0]) throw notFound('source', id);
      // WooCommerce holds one secret per webhook, so there is no grace period: paste the new one there.
      await recordAudit(tx, actorFrom(req), { action: 'source.rotate_secret', targetType: 'source', targetId: id, after: { rotated: true } });
      return rows[0];
    });
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...toSource(row), secret });
  });
  return router;
}

/** WooCommerce uses the secret as a plain HMAC key: any string will do; this one is 192 random bits. */
function newSourceSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
}

/** Deletes de-duplication keys older than the retention cutoff, in batches (called by the retention prune). */
export async function pruneSourceDeliveries(pool: { query: (text: string, values: unknown[]) => Promise<{ rowCount: number | null }> }, cutoff: string): Promise<number> {
  let total = 0;
  for (;;) {
    const { rowCount } = await pool.query(
      `delete from source_deliveries where ctid in (select ctid from source_deliveries where received_at < $1 limit 2000)`,
      [cutoff],
    );
    total += rowCount ?? 0;
    if ((rowCount ?? 0) < 2000) return total;
  }
}

/**
 * Mounted before JSON parsing: the signature covers the exact bytes WooCommerce sent.
 * Order of checks: unknown source 404, ping 200, signature 401, topic 422, then the
 * delivery id makes the whole thing idempotent (a redelivery answers 200, stores nothing).
 */
export function ingestRouter(ctx: AppContext): Router {
  const router = Router();
  router.post('/ingest/woocommerce/:sourceId', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const sourceId = String(req.params.sourceId);
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { rows } = await ctx.pool.query<SourceRow>(`select * from sources where id = $1 and kind = 'woocommerce'`, [sourceId]);
    const source = rows[0];
    if (!source) throw notFound('source', sourceId);

    const topic = req.get('x-wc-webhook-topic');
    const signature = req.get('x-wc-webhook-signature');
    if (!topic && !signature && /^webhook_id=\d+$/.test(raw.toString('utf8').trim())) {
      // WooCommerce pings the URL when the webhook is saved and keeps it only on a 2xx.
      return void res.json({ received: true, ping: true, events: [] });
    }

    const expected = crypto.createHmac('sha256', ctx.secrets.decrypt(source.secret_enc)).update(raw).digest();
    const given = Buffer.from(signature ?? '', 'base64');
    if (!signature || !safeEqual(given, expected)) {
      throw new HttpError(401, 'invalid_signature', 'X-WC-Webhook-Signature is missing or does not match the body signed with this source\'s secret');
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

    // The delivery id is not covered by the signature: anyone holding one signed body could
    // resend it under new ids. So the signed body itself (per topic) is a key too, and a
    // delivery is new only when neither key has been seen.
    const bodyKey = `body:${topic}:${crypto.createHash('sha256').update(raw).digest('hex')}`;
    const result = await withTransaction(ctx.pool, async (tx) => {
      const keys = [...new Set([deliveryId, bodyKey])];
      const first = await tx.query(
        `insert into source_deliveries (source_id, delivery_id) select $1, k from unnest($2::text[]) as k on conflict do nothing returning delivery_id`,
        [sourceId, keys],
      );
      if (first.rowCount !== keys.length) return { received: true, duplicate: true, topic, events: [] };
      const entity = { kind: topic.split('.')[0]!, id: body && typeof body === 'object' && 'id' in body ? String((body as { id: unknown }).id) : '' };
      // Lock the entity's state: two updates of one order are applied one after the other.
      await tx.query(
        `insert into source_entity_state (source_id, kind, entity_id, state) values ($1, $2, $3, 'null') on conflict do nothing`,
        [sourceId, entity.kind, entity.id],
      );
      const prev = await tx.query<{ state: EntityState | null }>(
        'select state from source_entity_state where source_id = $1 and kind = $2 and entity_id = $3 for update',
        [sourceId, entity.kind, entity.id],
      );
      let mapping;
      try {
        mapping = mapWooCommerce(topic, body, prev.rows[0]?.state ?? undefined);
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
      if (mapping.state) {
        await tx.query(
          'update source_entity_state set state = $4, updated_at = now() where source_id = $1 and kind = $2 and entity_id = $3',
          [sourceId, entity.kind, entity.id, JSON.stringify(mapping.state)],
        );
      }
      await storeEvents(tx, ctx.boss, envelopes);
      return { received: true, topic, events: envelopes.map((e) => ({ id: e.id, type: e.type })) };
    });
    res.json(result);
  });
  return router;
}
