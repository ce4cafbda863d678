import type { SourceInput } from '@tripline/shared';
import type { Request } from 'express';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction } from '../../db/pool.ts';
import { insertConnection, setBackfill, type ConnectionRow } from '../../db/source-sync.ts';
import { deleteSource, findSource, insertSource } from '../../db/sources.ts';
import { notFound } from '../../http/errors.ts';
import { sendJob } from '../../queue/boss.ts';
import { deliveryPathOf, newSourceId, newSourceSecret, toSource } from '../source-view.ts';
import { checkStore, connectedClient, deliveryBase, registerWebhooks, removeWebhooks } from './connect.ts';

/**
 * POST /sources with a store URL and keys: check, register webhooks, store (keys sealed),
 * start the history import. Answers like the manual mode (the secret this once) plus the
 * store URL; the keys are never answered again.
 */
export async function connectSource(ctx: AppContext, req: Request, input: SourceInput & { storeUrl: string; consumerKey: string; consumerSecret: string }) {
  const keys = { consumerKey: input.consumerKey, consumerSecret: input.consumerSecret };
  // Before contacting the store: without TRIPLINE_PUBLIC_URL a store elsewhere could never deliver.
  const base = deliveryBase(ctx, input.storeUrl, `${req.protocol}://${req.get('host')}`);
  const { storeUrl, client } = await checkStore(ctx, { storeUrl: input.storeUrl, ...keys });
  try {
    const id = newSourceId();
    const secret = newSourceSecret();
    const deliveryUrl = base + deliveryPathOf(id);
    const webhooks = await registerWebhooks(client, id, deliveryUrl, secret, storeUrl);
    const now = new Date().toISOString();
    const row = await withTransaction(ctx.pool, async (tx) => {
      const created = await insertSource(tx, { id, kind: input.kind, name: input.name, secretEnc: ctx.secrets.encrypt(secret) });
      await insertConnection(tx, {
        sourceId: id,
        storeUrl,
        consumerKeyEnc: ctx.secrets.encrypt(keys.consumerKey),
        consumerSecretEnc: ctx.secrets.encrypt(keys.consumerSecret),
        deliveryUrl,
        webhooks,
        connection: { status: 'ok', checkedAt: now, error: null },
        // The poll starts from a few minutes before the connection (clock skew between store and Tripline).
        reconcile: { lastRunAt: null, watermark: Object.fromEntries(['orders', 'products', 'customers'].map((r) => [r, new Date(Date.now() - 5 * 6e4).toISOString()])), recovered: 0, error: null },
      });
      await setBackfill(
        tx,
        id,
        { status: 'running', phase: 'customers', done: 0, total: 0, startedAt: now, finishedAt: null, error: null, runWorkflows: input.runWorkflows ?? false },
        { phase: 'customers', page: 1 },
      );
      await recordAudit(tx, actorFrom(req), {
        action: 'source.connect',
        targetType: 'source',
        targetId: id,
        after: { ...toSource(created), storeUrl, webhooks: webhooks.map((w) => ({ topic: w.topic, id: w.id })) },
      });
      return created;
    });
    await sendJob(ctx.boss, 'sourceBackfill', { sourceId: id });
    return { ...toSource(row), storeUrl, secret };
  } finally {
    client.close();
  }
}

/**
 * DELETE /sources/:id: a connected source first removes the webhooks it registered in the
 * store (what could not be removed is audited, and the source goes anyway: the store's
 * deliveries are refused from now on).
 */
export async function disconnectSource(ctx: AppContext, req: Request, id: string, connection: ConnectionRow | undefined): Promise<void> {
  let notRemoved: Awaited<ReturnType<typeof removeWebhooks>> = [];
  if (connection) {
    const client = connectedClient(ctx, connection, { retries: 1, baseDelayMs: 250 });
    try {
      notRemoved = await removeWebhooks(client, connection.webhooks);
    } finally {
      client.close();
    }
  }
  await withTransaction(ctx.pool, async (tx) => {
    const source = await findSource(tx, id, true);
    if (!source) throw notFound('source', id);
    await deleteSource(tx, id);
    await recordAudit(tx, actorFrom(req), {
      action: 'source.delete',
      targetType: 'source',
      targetId: id,
      before: { ...toSource(source), ...(connection ? { storeUrl: connection.store_url } : {}) },
      ...(connection ? { after: { webhooksRemoved: connection.webhooks.length - notRemoved.length, webhooksNotRemoved: notRemoved } } : {}),
    });
  });
}
