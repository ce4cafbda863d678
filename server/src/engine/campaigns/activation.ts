import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import type { PgBoss } from 'pg-boss';
import { insertActivation, latestActivationId, lockSchedule, markScheduled, setCampaignStatus, type CampaignSchedule } from '../../db/campaigns.ts';
import type { PoolClient } from '../../db/pool.ts';
import { clientDb, sendJob } from '../../queue/boss.ts';
import { emitEvent } from '../store-events.ts';
import { planStoreEffects, type CampaignTarget } from './store-effects.ts';

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
  /** Whom a run activates it for: its customer (a personal coupon in the store) or everyone (default). */
  target?: CampaignTarget;
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
  const name = await setCampaignStatus(tx, change.campaignId, status, until);
  if (name === undefined) return { ok: false, error: `campaign "${change.campaignId}" does not exist` };
  const activationId = `act_${crypto.randomUUID().replaceAll('-', '')}`;
  await insertActivation(tx, {
    id: activationId,
    campaign_id: change.campaignId,
    action: change.action,
    run_id: change.runId ?? null,
    user_id: change.userId ?? null,
    actor: change.actor ?? null,
    customer_id: change.customerId ?? null,
    segment: change.segment ?? null,
    until,
  });
  await emitEvent(tx, {
    type: change.action === 'activate' ? 'campaign.activated' : 'campaign.deactivated',
    source: 'tripline',
    causedBy: change.cause ?? null,
    data: {
      campaignId: change.campaignId,
      name,
      causedBy: { ...(change.runId ? { runId: change.runId } : {}), ...(change.userId ? { userId: change.userId } : {}), ...(change.actor ? { actor: change.actor } : {}) },
      ...(change.customerId ? { customerId: change.customerId } : {}),
      ...(until ? { until: until.toISOString() } : {}),
    },
  });
  // Coupons and sales in a connected store: recorded now, written by their own jobs.
  await planStoreEffects(tx, boss, {
    campaignId: change.campaignId,
    activationId,
    action: change.action,
    target: change.target ?? 'everyone',
    customerId: change.customerId,
    actor: change.actor ?? (change.runId ? `run:${change.runId}` : 'tripline'),
  });
  if (until) await sendJob(boss, 'expireCampaign', { campaignId: change.campaignId, activationId }, { db: clientDb(tx), startAfter: until });
  return { ok: true, activationId, status, until: until?.toISOString() ?? null };
}

/** Ends a timed activation, unless the campaign was changed again since. */
export async function expireCampaign(tx: PoolClient, boss: PgBoss, campaignId: string, activationId: string): Promise<boolean> {
  if ((await latestActivationId(tx, campaignId)) !== activationId) return false;
  const result = await changeCampaign(tx, boss, { campaignId, action: 'deactivate', actor: 'schedule' });
  return result.ok;
}

/**
 * Queues the jobs that start and end a campaign at its scheduled times. Each job carries
 * the time it was planned for and does nothing if the schedule changed since.
 */
export async function planSchedule(tx: PoolClient, boss: PgBoss, campaignId: string, schedule: CampaignSchedule | null): Promise<void> {
  const db = clientDb(tx);
  const now = Date.now();
  if (schedule?.startsAt && Date.parse(schedule.startsAt) > now) {
    await markScheduled(tx, campaignId);
    await sendJob(boss, 'campaignSchedule', { campaignId, action: 'activate', at: schedule.startsAt }, { db, startAfter: new Date(schedule.startsAt) });
  }
  if (schedule?.endsAt && Date.parse(schedule.endsAt) > now) {
    await sendJob(boss, 'campaignSchedule', { campaignId, action: 'deactivate', at: schedule.endsAt }, { db, startAfter: new Date(schedule.endsAt) });
  }
}

export async function runScheduledChange(tx: PoolClient, boss: PgBoss, campaignId: string, action: 'activate' | 'deactivate', at: string): Promise<boolean> {
  const schedule = await lockSchedule(tx, campaignId);
  const planned = action === 'activate' ? schedule?.startsAt : schedule?.endsAt;
  if (!planned || Date.parse(planned) !== Date.parse(at)) return false;
  return (await changeCampaign(tx, boss, { campaignId, action, actor: 'schedule' })).ok;
}
