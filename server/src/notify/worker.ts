import type { AppContext } from '../context.ts';
import { credentialForSending } from '../credentials/store.ts';
import { originAllowed } from '@tripline/shared';
import { lockNotification, markSending, recentAttempts, recordAttempt, settleNotification, type NotificationRow } from '../db/notifications.ts';
import { lockUntilCommit, withTransaction } from '../db/pool.ts';
import { clientDb, sendJob } from '../queue/boss.ts';
import { getSetting } from '../settings.ts';
import { postToSlack, type SlackMessage } from './slack.ts';
import { resolveSmtp, sendEmail, type EmailMessage, type SendResult } from './smtp.ts';

/** When the send rate is used up, look again this much later (the message keeps its attempts). */
const RATE_WAIT_MS = 5_000;
const SLACK_TIMEOUT_MS = 10_000;

/**
 * One notify.send job: claim the message (unless it is settled already, or the send rate
 * is used up), send it outside any transaction, then record the attempt and settle it:
 * sent, failed for good (5xx, a refused Slack payload, or the last try), or pending again
 * with the next job on the retry schedule. A settled step message wakes its run with a
 * run.execute job, and the run's state machine takes it from there. A worker that dies
 * mid-send leaves the row `sending`: the job's own retry sends it again, with the same
 * Message-ID.
 */
export async function handleNotifySend(app: AppContext, notificationId: string): Promise<void> {
  const claimed = await withTransaction(app.pool, async (tx) => {
    const row = await lockNotification(tx, notificationId);
    if (!row || row.status === 'sent' || row.status === 'failed') return undefined;
    // Counting and claiming under one lock, so two processes cannot both take the last slot.
    await lockUntilCommit(tx, 'notify-send-rate');
    const [all, perWorkflow] = [await getSetting(tx, 'notifySendsPerMinute'), await getSetting(tx, 'notifyWorkflowSendsPerMinute')];
    const recent = await recentAttempts(tx, row.workflow_id);
    if (recent.all >= all || (row.workflow_id !== null && recent.workflow >= perWorkflow)) {
      await sendJob(app.boss, 'notifySend', { notificationId }, { db: clientDb(tx), startAfter: new Date(Date.now() + RATE_WAIT_MS) });
      return undefined;
    }
    return markSending(tx, notificationId);
  });
  if (!claimed) return;
  const result = await deliver(app, claimed);
  await withTransaction(app.pool, async (tx) => {
    await recordAttempt(tx, {
      notificationId,
      attempt: claimed.attempt_count,
      outcome: result.outcome,
      responseCode: result.responseCode,
      response: result.response,
      error: result.outcome === 'sent' ? null : result.error,
      durationMs: result.durationMs,
    });
    if (result.outcome === 'temporary' && claimed.attempt_count < claimed.max_attempts) {
      await settleNotification(tx, notificationId, 'pending', result.response, result.error);
      const delay = app.config.notifyRetryScheduleMs[claimed.attempt_count - 1] ?? app.config.notifyRetryScheduleMs.at(-1)!;
      await sendJob(app.boss, 'notifySend', { notificationId }, { db: clientDb(tx), startAfter: new Date(Date.now() + delay) });
      return;
    }
    const error = result.outcome === 'sent' ? null : `${result.error}${result.outcome === 'temporary' ? ` (gave up after ${claimed.attempt_count} attempts)` : ''}`;
    await settleNotification(tx, notificationId, result.outcome === 'sent' ? 'sent' : 'failed', result.response, error);
    if (claimed.run_id) await sendJob(app.boss, 'executeRun', { runId: claimed.run_id }, { db: clientDb(tx) });
  });
  if (result.outcome !== 'sent') app.log.info({ notificationId, kind: claimed.kind, outcome: result.outcome, code: result.responseCode }, 'message not sent');
}

async function deliver(app: AppContext, row: NotificationRow): Promise<SendResult> {
  if (row.kind === 'email') {
    const server = await resolveSmtp(app);
    if (!server) return refused('no SMTP server is set up: add one under Settings → Email (or set TRIPLINE_SMTP_URL)');
    return sendEmail(server, row.message as unknown as EmailMessage, row.message_id ?? '');
  }
  const message = row.message as unknown as SlackMessage;
  const credential = await credentialForSending(app.pool, app.secrets, message.credential);
  if (credential === undefined) return refused(`credential "${message.credential}" does not exist; add the Slack webhook URL under Settings → Credentials`);
  const url = credential.value;
  // The webhook URL is itself the secret: it goes only where the credential says it may.
  if (!originAllowed(url, credential.allowedOrigins)) {
    return refused(`credential "${message.credential}" may only be sent to ${credential.allowedOrigins.join(', ') || 'nowhere yet (save it again with its origins)'}; nothing was sent`);
  }
  return postToSlack(url, message, { allowPrivate: app.config.allowPrivateTargets, timeoutMs: SLACK_TIMEOUT_MS });
}

const refused = (error: string): SendResult => ({ outcome: 'permanent', responseCode: null, response: null, error, durationMs: 0 });
