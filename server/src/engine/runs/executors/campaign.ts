import { findCampaign } from '../../../db/campaigns.ts';
import { changeCampaign } from '../../campaigns/activation.ts';
import type { Executor } from '../types.ts';

export const campaign: Executor<'campaign'> = async (config, step) => {
  const customerId = typeof step.event.data.customerId === 'string' ? step.event.data.customerId : undefined;
  if (step.mode.kind === 'dry') {
    const found = await findCampaign(step.app.pool, config.campaignId);
    if (!found) return { kind: 'fail', error: `campaign "${config.campaignId}" does not exist` };
    return { kind: 'next', output: { dryRun: true, would: config.action, campaign: found.name, currentStatus: found.status, customerId, target: config.target ?? 'everyone', storeEffects: found.store_effects ?? null } };
  }
  const result = await changeCampaign(step.mode.tx, step.app.boss, {
    campaignId: config.campaignId,
    action: config.action,
    runId: step.run.id,
    customerId,
    segment: config.segment,
    durationSeconds: config.durationSeconds,
    target: config.target,
    cause: step.event,
  });
  if (!result.ok) return { kind: 'fail', error: result.error };
  return { kind: 'next', output: { campaignId: config.campaignId, status: result.status, until: result.until, activationId: result.activationId } };
};
