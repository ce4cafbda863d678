import crypto from 'node:crypto';
import { campaignActivationSchema, campaignChangeSchema, campaignInputSchema, campaignSchema, campaignStoreChangeSchema, segmentInputSchema, type Campaign, type CampaignStoreEffects } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import type { AppContext } from '../../context.ts';
import {
  findCampaign,
  insertCampaign,
  insertSegment,
  listActivations,
  listCampaigns,
  listSegments,
  updateCampaign,
  type CampaignRow,
} from '../../db/campaigns.ts';
import { withTransaction } from '../../db/pool.ts';
import { conflict, notFound } from '../../http/errors.ts';
import { declareRoutes } from '../../http/route.ts';
import { isConnectedStore, listStoreChanges } from '../../db/woocommerce-writes.ts';
import type { Queryable } from '../../db/queryable.ts';
import { HttpError } from '../../http/errors.ts';
import { changeCampaign, planSchedule } from './activation.ts';
import { toStoreChange } from './store-effects.ts';

/** Store effects need a WooCommerce source connected with keys: refused with the field named otherwise. */
async function checkStoreEffects(db: Queryable, effects: CampaignStoreEffects | undefined): Promise<void> {
  if (!effects) return;
  const problem = (await isConnectedStore(db, effects.sourceId)) ? undefined : `source "${effects.sourceId}" is not a WooCommerce store connected with REST API keys`;
  if (problem) throw new HttpError(422, 'validation_failed', `storeEffects.sourceId: ${problem}`, [{ path: 'storeEffects.sourceId', message: problem }]);
}

const tag = 'Campaigns';

function toCampaign(r: CampaignRow): Campaign {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    description: r.description,
    schedule: r.schedule,
    audience: r.audience,
    activeUntil: r.active_until?.toISOString() ?? null,
    storeEffects: (r.store_effects as CampaignStoreEffects | null) ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

export function campaignsRouter(app: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/campaigns', access: 'campaigns:read', tag, summary: 'List campaigns', response: z.object({ data: z.array(campaignSchema) }) }, async () => {
    return { data: (await listCampaigns(app.pool)).map(toCampaign) };
  });

  route(
    { method: 'post', path: '/campaigns', access: 'campaigns:write', tag, summary: 'Create a campaign', body: campaignInputSchema, response: campaignSchema, status: 201 },
    async ({ req, body: input }) => {
      const id = `cmp_${crypto.randomBytes(6).toString('base64url')}`;
      await checkStoreEffects(app.pool, input.storeEffects);
      const row = await withTransaction(app.pool, async (tx) => {
        await insertCampaign(tx, id, {
          storeEffects: input.storeEffects ?? null,
          name: input.name,
          kind: input.kind,
          description: input.description ?? null,
          schedule: input.schedule ?? null,
          audience: input.audience ?? null,
        });
        await planSchedule(tx, app.boss, id, input.schedule ?? null);
        await recordAudit(tx, actorFrom(req), { action: 'campaign.created', targetType: 'campaign', targetId: id, after: input });
        return (await findCampaign(tx, id))!;
      });
      return toCampaign(row);
    },
  );

  route({ method: 'get', path: '/campaigns/:id', access: 'campaigns:read', tag, summary: 'One campaign', response: campaignSchema }, async ({ params }) => {
    const row = await findCampaign(app.pool, params.id!);
    if (!row) throw notFound('campaign', params.id!);
    return toCampaign(row);
  });

  route(
    { method: 'put', path: '/campaigns/:id', access: 'campaigns:write', tag, summary: 'Edit a campaign', body: campaignInputSchema.partial(), response: campaignSchema },
    async ({ req, params, body: input }) => {
      const id = params.id!;
      await checkStoreEffects(app.pool, input.storeEffects);
      const row = await withTransaction(app.pool, async (tx) => {
        const before = await findCampaign(tx, id, true);
        if (!before) throw notFound('campaign', id);
        await updateCampaign(tx, id, input);
        if (input.schedule) await planSchedule(tx, app.boss, id, input.schedule);
        const after = (await findCampaign(tx, id))!;
        await recordAudit(tx, actorFrom(req), { action: 'campaign.updated', targetType: 'campaign', targetId: id, before: toCampaign(before), after: toCampaign(after) });
        return after;
      });
      return toCampaign(row);
    },
  );

  for (const action of ['activate', 'deactivate'] as const) {
    const summary = action === 'activate' ? 'Activate now, optionally for a duration' : 'Deactivate now';
    route(
      { method: 'post', path: `/campaigns/:id/${action}`, access: 'campaigns:write', tag, summary, body: campaignChangeSchema, response: campaignSchema },
      async ({ req, params, body: { durationSeconds } }) => {
        const id = params.id!;
        const row = await withTransaction(app.pool, async (tx) => {
          const before = await findCampaign(tx, id, true);
          if (!before) throw notFound('campaign', id);
          const actor = actorFrom(req);
          const result = await changeCampaign(tx, app.boss, { campaignId: id, action, userId: actor.id, actor: actor.label, durationSeconds });
          if (!result.ok) throw conflict(result.error);
          const after = (await findCampaign(tx, id))!;
          await recordAudit(tx, actor, { action: `campaign.${action}d`, targetType: 'campaign', targetId: id, before: { status: before.status }, after: { status: after.status, until: result.until } });
          return after;
        });
        return toCampaign(row);
      },
    );
  }

  route(
    {
      method: 'get',
      path: '/campaigns/:id/activations',
      access: 'campaigns:read',
      tag,
      summary: 'Activation history: which run or person',
      response: z.object({ data: z.array(campaignActivationSchema) }),
    },
    async ({ params }) => {
      const id = params.id!;
      if (!(await findCampaign(app.pool, id))) throw notFound('campaign', id);
      const rows = await listActivations(app.pool, id);
      return {
        data: rows.map((a) => ({
          id: a.id,
          action: a.action,
          runId: a.run_id,
          userId: a.user_id,
          actor: a.actor,
          customerId: a.customer_id,
          segment: a.segment,
          until: a.until?.toISOString() ?? null,
          createdAt: a.created_at.toISOString(),
        })),
      };
    },
  );

  route(
    {
      method: 'get',
      path: '/campaigns/:id/store-changes',
      access: 'campaigns:read',
      tag,
      summary: 'What the campaign changed in the store (coupons, sales) and what it reverted',
      response: z.object({ data: z.array(campaignStoreChangeSchema) }),
    },
    async ({ params }) => {
      const id = params.id!;
      if (!(await findCampaign(app.pool, id))) throw notFound('campaign', id);
      return { data: (await listStoreChanges(app.pool, id)).map(toStoreChange) };
    },
  );

  route({ method: 'get', path: '/segments', access: 'campaigns:read', tag: 'Segments', summary: 'Customer segments (json-logic over customer state)' }, async () => {
    return { data: await listSegments(app.pool) };
  });

  route(
    { method: 'post', path: '/segments', access: 'settings:write', tag: 'Segments', summary: 'Define a segment', body: segmentInputSchema, status: 201 },
    async ({ req, body: input }) => {
      await withTransaction(app.pool, async (tx) => {
        const created = await insertSegment(tx, { name: input.name, description: input.description ?? null, rule: input.rule });
        if (!created) throw conflict(`segment "${input.name}" already exists`);
        await recordAudit(tx, actorFrom(req), { action: 'segment.created', targetType: 'segment', targetId: input.name, after: input });
      });
      return input;
    },
  );

  return router;
}
