import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import type { PoolClient } from '../../db/pool.ts';
import { clientDb, sendJob } from '../../queue/boss.ts';
import { emitEvent } from '../store-events.ts';

export interface CampaignChange {
  campaignId: string;
  action: 'activate' | 'deactivate';
  /** Who: a run, a person, or the schedule. */
  runId?: string;
  userId?: string;
  actor?: string;
  customerId?: string;
  segment?: string;
  durationSeconds?: number;
  /** The event that led here, so campaign.* events join its causation chain. */
  cause?: EventEnvelope;
}

export type CampaignResult = { ok: true; activationId: string; status: string; until: string | null } | { ok: false; error: string };

/**
 * Activates or deactivates a campaign in the caller's transaction: updates its status,
 * records who did it, emits campaign.activated / campaign.deactivated, and for a timed
 * activation schedules the job that ends it.
 */
export async function changeCampaign(tx: PoolClient, boss: PgBoss, change: CampaignChange): Promise<CampaignResult> {
  const until = change.action === 'activate' && change.durationSeconds ? new Date(Date.now() + change.durationSeconds * 1000) : null;
  const status = change.action === 'activate' ? 'active' : 'inactive';
  const { rows } = await tx.query<{ name: string }>(
    `update campaigns set status = $2, active_until = $3, updated_at = now() where id = $1 returning name`,
    [change.campaignId, status, until],
  );
  const campaign = rows[0];
  if (!campaign) return { ok: false, error: `campaign "${change.campaignId}" does not exist` };
  const activationId = `act_${crypto.randomUUID().replaceAll('-', '')}`;
  await tx.query(
    `insert into campaign_activations (id, campaign_id, action, run_id, user_id, actor, customer_id, segment, until)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [activationId, change.campaignId, change.action, change.runId ?? null, change.userId ?? null, change.actor ?? null, change.customerId ?? null, change.segment ?? null, until],
  );
  await emitEvent(tx, boss, {
    type: change.action === 'activate' ? 'campaign.activated' : 'campaign.deactivated',
    source: 'tripline',
    causedBy: change.cause ?? null,
    data: {
      campaignId: change.campaignId,
      name: campaign.name,
      causedBy: { ...(change.runId ? { runId: change.runId } : {}), ...(change.userId ? { userId: change.userId } : {}), ...(change.actor ? { actor: change.actor } : {}) },
      ...(change.customerId ? { customerId: change.customerId } : {}),
      ...(until ? { until: until.toISOString() } : {}),
    },
  });
  if (until) await sendJob(boss, 'expireCampaign', { campaignId: change.campaignId, activationId }, { db: clientDb(tx), startAfter: until });
  return { ok: true, activationId, status, until: until?.toISOString() ?? null };
}

/** Ends a timed activation, unless the campaign was changed again since. */
export async function expireCampaign(tx: PoolClient, boss: PgBoss, campaignId: string, activationId: string): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(
    `select id from campaign_activations where campaign_id = $1 order by created_at desc, id desc limit 1`,
    [campaignId],
  );
  if (rows[0]?.id !== activationId) return false;
  const result = await changeCampaign(tx, boss, { campaignId, action: 'deactivate', actor: 'schedule' });
  return result.ok;
}

interface ScheduleRow {
  schedule: { startsAt?: string; endsAt?: string } | null;
}

/**
 * Queues the jobs that start and end a campaign at its scheduled times. Each job carries
 * the time it was planned for and does nothing if the schedule changed since.
 */
export async function planSchedule(tx: PoolClient, boss: PgBoss, campaignId: string, schedule: ScheduleRow['schedule']): Promise<void> {
  const db = clientDb(tx);
  const now = Date.now();
  if (schedule?.startsAt && Date.parse(schedule.startsAt) > now) {
    await tx.query(`update campaigns set status = 'scheduled' where id = $1 and status = 'inactive'`, [campaignId]);
    await sendJob(boss, 'campaignSchedule', { campaignId, action: 'activate', at: schedule.startsAt }, { db, startAfter: new Date(schedule.startsAt) });
  }
  if (schedule?.endsAt && Date.parse(schedule.endsAt) > now) {
    await sendJob(boss, 'campaignSchedule', { campaignId, action: 'deactivate', at: schedule.endsAt }, { db, startAfter: new Date(schedule.endsAt) });
  }
}

export async function runScheduledChange(tx: PoolClient, boss: PgBoss, campaignId: string, action: 'activate' | 'deactivate', at: string): Promise<boolean> {
  const { rows } = await tx.query<ScheduleRow>('select schedule from campaigns where id = $1 for update', [campaignId]);
  const planned = action === 'activate' ? rows[0]?.schedule?.startsAt : rows[0]?.schedule?.endsAt;
  if (!planned || Date.parse(planned) !== Date.parse(at)) return false;
  return (await changeCampaign(tx, boss, { campaignId, action, actor: 'schedule' })).ok;
}
