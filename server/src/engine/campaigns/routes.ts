import crypto from 'node:crypto';
import { campaignActivationSchema, campaignChangeSchema, campaignInputSchema, campaignSchema, segmentInputSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../../audit/record.ts';
import { authorize } from '../../auth/middleware.ts';
import type { AppContext } from '../../context.ts';
import { withTransaction, type PoolClient } from '../../db/pool.ts';
import { conflict, notFound, parseOr422 } from '../../http/errors.ts';
import { describeRoute } from '../../http/openapi.ts';
import { changeCampaign, planSchedule } from './activation.ts';

const tag = 'Campaigns';
describeRoute({ method: 'get', path: '/api/v1/campaigns', tag, summary: 'List campaigns', response: z.object({ data: z.array(campaignSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/campaigns', tag, summary: 'Create a campaign', body: campaignInputSchema, response: campaignSchema, status: 201 });
describeRoute({ method: 'get', path: '/api/v1/campaigns/:id', tag, summary: 'One campaign', response: campaignSchema });
describeRoute({ method: 'put', path: '/api/v1/campaigns/:id', tag, summary: 'Edit a campaign', body: campaignInputSchema.partial(), response: campaignSchema });
describeRoute({ method: 'post', path: '/api/v1/campaigns/:id/activate', tag, summary: 'Activate now, optionally for a duration', body: campaignChangeSchema, response: campaignSchema });
describeRoute({ method: 'post', path: '/api/v1/campaigns/:id/deactivate', tag, summary: 'Deactivate now', response: campaignSchema });
describeRoute({ method: 'get', path: '/api/v1/campaigns/:id/activations', tag, summary: 'Activation history: which run or person', response: z.object({ data: z.array(campaignActivationSchema) }) });
describeRoute({ method: 'get', path: '/api/v1/segments', tag: 'Segments', summary: 'Customer segments (json-logic over customer state)' });
describeRoute({ method: 'post', path: '/api/v1/segments', tag: 'Segments', summary: 'Define a segment', body: segmentInputSchema, status: 201 });

interface CampaignRow {
  id: string;
  name: string;
  kind: string;
  status: string;
  description: string | null;
  schedule: Record<string, unknown> | null;
  audience: Record<string, unknown> | null;
  active_until: Date | null;
  created_at: Date;
  updated_at: Date;
}

function toCampaign(r: CampaignRow) {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    status: r.status,
    description: r.description,
    schedule: r.schedule,
    audience: r.audience,
    activeUntil: r.active_until?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

async function findCampaign(db: Pick<PoolClient, 'query'>, id: string, lock = false) {
  const { rows } = await db.query<CampaignRow>(`select * from campaigns where id = $1${lock ? ' for update' : ''}`, [id]);
  return rows[0];
}

export function campaignsRouter(app: AppContext): Router {
  const router = Router();

  router.get('/campaigns', authorize('campaigns:read'), async (_req, res) => {
    const { rows } = await app.pool.query<CampaignRow>('select * from campaigns order by name');
    res.json({ data: rows.map(toCampaign) });
  });

  router.post('/campaigns', authorize('campaigns:write'), async (req, res) => {
    const input = parseOr422(campaignInputSchema, req.body);
    const id = `cmp_${crypto.randomBytes(6).toString('base64url')}`;
    const row = await withTransaction(app.pool, async (tx) => {
      await tx.query('insert into campaigns (id, name, kind, description, schedule, audience) values ($1, $2, $3, $4, $5, $6)', [
        id,
        input.name,
        input.kind,
        input.description ?? null,
        input.schedule ? JSON.stringify(input.schedule) : null,
        input.audience ? JSON.stringify(input.audience) : null,
      ]);
      await planSchedule(tx, app.boss, id, input.schedule ?? null);
      await recordAudit(tx, actorFrom(req), { action: 'campaign.created', targetType: 'campaign', targetId: id, after: input });
      return (await findCampaign(tx, id))!;
    });
    res.status(201).json(toCampaign(row));
  });

  router.get('/campaigns/:id', authorize('campaigns:read'), async (req, res) => {
    const row = await findCampaign(app.pool, String(req.params.id));
    if (!row) throw notFound('campaign', String(req.params.id));
    res.json(toCampaign(row));
  });

  router.put('/campaigns/:id', authorize('campaigns:write'), async (req, res) => {
    const id = String(req.params.id);
    const input = parseOr422(campaignInputSchema.partial(), req.body);
    const row = await withTransaction(app.pool, async (tx) => {
      const before = await findCampaign(tx, id, true);
      if (!before) throw notFound('campaign', id);
      await tx.query(
        `update campaigns set name = coalesce($2, name), kind = coalesce($3, kind), description = coalesce($4, description),
           schedule = coalesce($5, schedule), audience = coalesce($6, audience), updated_at = now() where id = $1`,
        [id, input.name ?? null, input.kind ?? null, input.description ?? null, input.schedule ? JSON.stringify(input.schedule) : null, input.audience ? JSON.stringify(input.audience) : null],
      );
      if (input.schedule) await planSchedule(tx, app.boss, id, input.schedule);
      const after = (await findCampaign(tx, id))!;
      await recordAudit(tx, actorFrom(req), { action: 'campaign.updated', targetType: 'campaign', targetId: id, before: toCampaign(before), after: toCampaign(after) });
      return after;
    });
    res.json(toCampaign(row));
  });

  for (const action of ['activate', 'deactivate'] as const) {
    router.post(`/campaigns/:id/${action}`, authorize('campaigns:write'), async (req, res) => {
      const id = String(req.params.id);
      const { durationSeconds } = parseOr422(campaignChangeSchema, req.body ?? {});
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
      res.json(toCampaign(row));
    });
  }

  router.get('/campaigns/:id/activations', authorize('campaigns:read'), async (req, res) => {
    const id = String(req.params.id);
    if (!(await findCampaign(app.pool, id))) throw notFound('campaign', id);
    const { rows } = await app.pool.query('select * from campaign_activations where campaign_id = $1 order by created_at desc limit 200', [id]);
    res.json({
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
    });
  });

  router.get('/segments', authorize('campaigns:read'), async (_req, res) => {
    const { rows } = await app.pool.query('select name, description, rule from segments order by name');
    res.json({ data: rows });
  });

  router.post('/segments', authorize('settings:write'), async (req, res) => {
    const input = parseOr422(segmentInputSchema, req.body);
    await withTransaction(app.pool, async (tx) => {
      const { rowCount } = await tx.query('insert into segments (name, description, rule) values ($1, $2, $3) on conflict do nothing', [
        input.name,
        input.description ?? null,
        JSON.stringify(input.rule),
      ]);
      if (!rowCount) throw conflict(`segment "${input.name}" already exists`);
      await recordAudit(tx, actorFrom(req), { action: 'segment.created', targetType: 'segment', targetId: input.name, after: input });
    });
    res.status(201).json(input);
  });

  return router;
}
