import type { SettingValue } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { clearAlert, markAlertSent, openAlert, openAlerts, runFailuresSince, tryAlertLock, type AlertRow } from '../../db/alerts.ts';
import { withTransaction, type PoolClient } from '../../db/pool.ts';
import { getSetting } from '../../settings.ts';
import { requestNotification } from '../request.ts';
import { currentConditions, RUN_ALERT_MINUTES } from './conditions.ts';

type Phase = 'opened' | 'cleared' | `again-${number}`;

/**
 * One pass: conditions that are new open an alert and send it, conditions that are gone
 * clear it and say so, a workflow whose runs keep failing is told again at most every 15
 * minutes with the count. Messages go through the durable notify.send sending (email
 * and/or Slack), each with an idempotency key of the alert, its opening and the phase,
 * so a pass redone (two workers, a crash) sends nothing twice.
 */
export async function sweepAlerts(app: AppContext, now = new Date()): Promise<void> {
  await withTransaction(app.pool, async (tx) => {
    if (!(await tryAlertLock(tx))) return;
    const settings = await getSetting(tx, 'alerts');
    const recipients = settings.email.length > 0 || settings.slackCredential !== null;
    const conditions = await currentConditions(tx, settings, now);
    const open = new Map((await openAlerts(tx)).map((a) => [a.key, a]));
    for (const c of conditions) {
      const existing = open.get(c.key);
      open.delete(c.key);
      if (!existing) {
        const row = await openAlert(tx, c);
        if (recipients) await send(app, tx, settings, row, 'opened', c.count);
        await markAlertSent(tx, row.key, c.count);
        continue;
      }
      if (c.kind === 'runs' && existing.last_sent_at && now.getTime() - existing.last_sent_at.getTime() >= RUN_ALERT_MINUTES * 60_000) {
        const count = await runFailuresSince(tx, c.key.slice('runs:'.length), existing.last_sent_at);
        if (count === 0) continue;
        if (recipients) await send(app, tx, settings, { ...existing, detail: c.detail }, `again-${existing.sent_count}`, count);
        await markAlertSent(tx, existing.key, count);
      }
    }
    // Still open but no longer true: cleared.
    for (const alert of open.values()) {
      const cleared = await clearAlert(tx, alert.key);
      if (recipients) await send(app, tx, settings, cleared, 'cleared', alert.count);
    }
  });
}

function consoleUrl(app: AppContext, path: string): string {
  const base = app.config.publicUrl ?? `http://localhost:${app.config.port}`;
  return `${base.replace(/\/$/, '')}${path}`;
}

function message(app: AppContext, alert: AlertRow, phase: Phase, count: number) {
  const link = consoleUrl(app, alert.link);
  if (phase === 'cleared') {
    const subject = `[Tripline] Resolved: ${alert.title}`;
    const text = `${alert.title}: cleared at ${alert.cleared_at?.toISOString()} (open since ${alert.opened_at.toISOString()}).\n\nDetails: ${link}`;
    return { subject, text };
  }
  const again = phase.startsWith('again');
  const subject = `[Tripline] ${alert.title}${again ? ` (${count} more failed run(s))` : ''}`;
  const text = `${alert.title}\n\n${again ? `${count} more run(s) failed since the last message. ` : ''}${alert.detail}\n\nSince ${alert.opened_at.toISOString()}. What it means and what to do: ${link}\nYou will get a message when it clears.`;
  return { subject, text };
}

async function send(app: AppContext, tx: PoolClient, settings: SettingValue<'alerts'>, alert: AlertRow, phase: Phase, count: number): Promise<void> {
  const { subject, text } = message(app, alert, phase, count);
  const key = `alert:${alert.key}:${alert.opened_at.toISOString()}:${phase}`;
  if (settings.email.length > 0) {
    await requestNotification(tx, app, {
      kind: 'email',
      origin: 'alert',
      idempotencyKey: `${key}:email`,
      runId: null,
      nodeId: null,
      iteration: -1,
      workflowId: null,
      message: { to: settings.email, cc: [], replyTo: null, subject, text, html: null },
    });
  }
  if (settings.slackCredential) {
    await requestNotification(tx, app, {
      kind: 'slack',
      origin: 'alert',
      idempotencyKey: `${key}:slack`,
      runId: null,
      nodeId: null,
      iteration: -1,
      workflowId: null,
      message: { credential: settings.slackCredential, text: `*${subject}*\n${text}`, blocks: null },
    });
  }
}

/** Sweeps every TRIPLINE_ALERT_TICK in each worker process; answers a stop that waits for a sweep in flight. */
export function startAlertSweeper(app: AppContext): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(() => sweepAlerts(app).catch((error: unknown) => app.log.warn({ err: error }, 'alert sweep failed; the next one tries again')));
  }, app.config.alertTickMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
