import { findNotification, type NotificationRow } from '../../../db/notifications.ts';
import { requestNotification } from '../../../notify/request.ts';
import type { StepContext, StepOutcome } from '../types.ts';

/** The key that makes a step's message unique per run, node and for_each iteration. */
export const stepMessageKey = (step: StepContext) => `step:${step.run.id}:${step.nodeId}:${step.iteration}`;

function outcomeOf(row: NotificationRow, shown: Record<string, unknown>): StepOutcome {
  const output = { notificationId: row.id, ...shown, status: row.status, attempts: row.attempt_count, messageId: row.message_id, response: row.last_response };
  if (row.status === 'sent') return { kind: 'next', handle: 'out', output };
  if (row.status === 'failed') return { kind: 'fail', error: `not sent after ${row.attempt_count} attempt(s): ${row.last_error ?? row.last_response ?? 'refused'}`, output };
  return { kind: 'wait', output };
}

/**
 * The live side of the email and Slack steps: ask for the message in the run's transaction
 * (notify/request.ts) and wait; the notify.send worker wakes the run when the message is
 * sent or has failed for good, and the step then continues on `out` or fails (`error`).
 * Executed again (a slice redone, a failed run retried), it finds its message by key: a
 * sent message is not sent twice, a failed one is tried again.
 */
export async function notifyStep(
  step: StepContext,
  kind: 'email' | 'slack',
  message: Record<string, unknown>,
  shown: Record<string, unknown>,
): Promise<StepOutcome> {
  if (step.mode.kind !== 'live') throw new Error('notifyStep runs live steps only');
  const tx = step.mode.tx;
  if (step.resumed) {
    const id = (step.resumed.output as { notificationId?: string }).notificationId;
    const row = id ? await findNotification(tx, id) : undefined;
    if (!row) return { kind: 'fail', error: `message ${id ?? '?'} no longer exists` };
    return outcomeOf(row, shown);
  }
  const { row } = await requestNotification(tx, step.app, {
    kind,
    origin: 'step',
    idempotencyKey: stepMessageKey(step),
    runId: step.run.id,
    nodeId: step.nodeId,
    iteration: step.iteration,
    workflowId: step.run.workflow_id,
    message,
  });
  return outcomeOf(row, shown);
}
