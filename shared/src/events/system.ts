import { z } from 'zod';
import { id } from './common.ts';
import { defineEvent } from './define.ts';

const campaignCause = z.object({
  runId: z.string().optional(),
  userId: z.string().optional(),
  actor: z.string().optional(),
});

const campaignData = z.object({
  campaignId: id,
  name: z.string().max(200),
  causedBy: campaignCause,
  customerId: id.optional(),
  until: z.iso.datetime().optional(),
});

export const campaignActivated = defineEvent({
  type: 'campaign.activated',
  origin: 'system',
  description: 'A campaign was activated by a workflow run or by a person.',
  schema: campaignData,
  example: { campaignId: 'cmp_vip', name: 'VIP early access', causedBy: { runId: 'run_01J' }, customerId: 'cus_42' },
  subject: (d) => d.campaignId,
  subjectKind: 'campaign',
});

export const campaignDeactivated = defineEvent({
  type: 'campaign.deactivated',
  origin: 'system',
  description: 'A campaign was deactivated by a workflow run, a person, or the end of its timed activation.',
  schema: campaignData,
  example: { campaignId: 'cmp_bogo', name: 'BOGO tees', causedBy: { actor: 'schedule' } },
  subject: (d) => d.campaignId,
  subjectKind: 'campaign',
});

export const endpointDisabled = defineEvent({
  type: 'endpoint.disabled',
  origin: 'system',
  description: 'A webhook endpoint was disabled (410 Gone, or failing for longer than the failure window).',
  schema: z.object({ endpointId: id, url: z.string(), reason: z.string().max(1000) }),
  example: { endpointId: 'ep_01J', url: 'https://desk.example.com/hooks/tripline', reason: 'Receiver answered 410 Gone' },
  subject: (d) => d.endpointId,
  subjectKind: 'endpoint',
});

export const runFailed = defineEvent({
  type: 'run.failed',
  origin: 'system',
  description: 'A workflow run failed after its retries.',
  schema: z.object({
    runId: id,
    workflowId: id,
    workflowName: z.string(),
    nodeId: z.string().optional(),
    /** In a forked run: the branch that failed ("1", "2.1"); each branch's failure is its own event. */
    branch: z.string().optional(),
    error: z.string().max(4000),
  }),
  example: { runId: 'run_01J', workflowId: 'wf_01J', workflowName: 'Low stock → supplier', nodeId: 'notify', error: 'Endpoint answered 500' },
  subject: (d) => d.workflowId,
  subjectKind: 'workflow',
});

export const scheduleFired = defineEvent({
  type: 'schedule.fired',
  origin: 'system',
  description:
    "A workflow's schedule came due (its `schedule` trigger's cron, in its time zone). Emitted once per workflow and due time, however many workers run; a due time missed while Tripline was down fires after the restart when it is within the catch-up window.",
  schema: z.object({
    workflowId: id,
    scheduledFor: z.iso.datetime(),
    cron: z.string().max(200),
    timezone: z.string().max(100),
    /** Set when the due time passed while no worker ran and it fired afterwards (catch-up). */
    late: z.boolean().optional(),
  }),
  example: { workflowId: 'wf_01J', scheduledFor: '2026-12-07T17:00:00.000Z', cron: '0 18 * * *', timezone: 'Europe/Paris' },
  subject: (d) => d.workflowId,
  subjectKind: 'workflow',
});

export const sourceHealthChanged = defineEvent({
  type: 'source.health_changed',
  origin: 'system',
  description:
    "A connected store's link changed health: its keys or API failing, or a webhook WooCommerce disabled or someone deleted (Tripline re-enables or re-creates it and polls meanwhile, so nothing is lost).",
  schema: z.object({ sourceId: id, status: z.enum(['healthy', 'degraded', 'failing']), reason: z.string().max(1000) }),
  example: { sourceId: 'src_3f9a', status: 'degraded', reason: 'WooCommerce had disabled the order.updated webhook after failed deliveries; re-enabled it' },
  subject: (d) => d.sourceId,
  subjectKind: 'source',
});
