import crypto from 'node:crypto';
import type { AppContext } from '../context.ts';
import { upsertNotification, type NewNotification, type NotificationRow } from '../db/notifications.ts';
import type { PoolClient } from '../db/pool.ts';
import { clientDb, sendJob } from '../queue/boss.ts';

/** A Message-ID derived from the idempotency key: every attempt of one message carries the same one. */
export function messageIdFor(idempotencyKey: string): string {
  return `<${crypto.createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}@tripline>`;
}

/**
 * Asks for a message: its row and its notify.send job are written in the caller's
 * transaction, so they commit (or roll back) with the step or alert that wanted them. The
 * same idempotency key gives the same message: a new job only when the row is new, or
 * was failed and is asked for again (a retried run).
 */
export async function requestNotification(
  tx: PoolClient,
  app: AppContext,
  n: Omit<NewNotification, 'id' | 'maxAttempts' | 'messageId'>,
): Promise<{ row: NotificationRow; created: boolean; reopened: boolean }> {
  const result = await upsertNotification(tx, {
    ...n,
    id: `ntf_${crypto.randomUUID().replaceAll('-', '')}`,
    messageId: n.kind === 'email' ? messageIdFor(n.idempotencyKey) : null,
    maxAttempts: app.config.notifyRetryScheduleMs.length + 1,
  });
  if (result.created || result.reopened) await sendJob(app.boss, 'notifySend', { notificationId: result.row.id }, { db: clientDb(tx) });
  return result;
}
