import { nextScheduleTimes, SCHEDULE_EVENT, type EventEnvelope } from '@tripline/shared';
import type { AppContext } from '../../context.ts';
import { insertEvents } from '../../db/events.ts';
import { withTransaction } from '../../db/pool.ts';
import { insertFirings, publishedSchedules, saveScheduleState, tryTickLock } from '../../db/schedules.ts';
import { getSetting } from '../../settings.ts';
import { toEnvelope } from '../store-events.ts';

/** At most this many due times per schedule per tick: a long outage of a per-minute schedule is worked off over ticks. */
const MAX_FIRINGS_PER_TICK = 100;

/**
 * One look at every published schedule: each due time since the schedule was last looked
 * at (but within the catch-up window) becomes a `schedule.fired` event in the outbox, and
 * the engine starts the run from it like any other event. Exactly once per due time: the
 * firing's primary key (workflow, scheduledFor) and the event's id derived from the same
 * pair both refuse a second one, whichever process gets there second; the tick lock only
 * saves the wasted work. A schedule seen for the first time (or changed) starts from now.
 */
export async function tickSchedules(app: AppContext, now = new Date()): Promise<number> {
  return withTransaction(app.pool, async (tx) => {
    if (!(await tryTickLock(tx))) return 0;
    const schedules = await publishedSchedules(tx, SCHEDULE_EVENT);
    if (schedules.length === 0) return 0;
    const storeZone = await getSetting(tx, 'storeTimezone');
    const windowMs = (await getSetting(tx, 'scheduleCatchUpMinutes')) * 60_000;
    const events: EventEnvelope[] = [];
    for (const s of schedules) {
      const cron = s.config.cron;
      const timezone = s.config.timezone ?? storeZone;
      if (!s.since || s.state_cron !== cron || s.state_timezone !== timezone) {
        await saveScheduleState(tx, { workflowId: s.workflow_id, cron, timezone, since: now });
        continue;
      }
      const from = new Date(Math.max(s.since.getTime(), now.getTime() - windowMs));
      const due = nextScheduleTimes(cron, timezone, from, MAX_FIRINGS_PER_TICK).filter((d) => d <= now);
      if (due.length === 0) continue;
      // Late: due before the previous tick should have seen it (the process was down or stalled).
      const lateBefore = now.getTime() - 2 * app.config.scheduleTickMs - 1000;
      const firings = due.map((d) => ({ scheduledFor: d, eventId: `sch_${s.workflow_id}_${d.toISOString()}`, late: d.getTime() < lateBefore }));
      const fresh = await insertFirings(tx, s.workflow_id, firings);
      for (const f of firings) {
        if (!fresh.has(f.eventId)) continue;
        events.push(
          toEnvelope({
            id: f.eventId,
            type: SCHEDULE_EVENT,
            source: 'tripline',
            occurredAt: f.scheduledFor.toISOString(),
            data: { workflowId: s.workflow_id, scheduledFor: f.scheduledFor.toISOString(), cron, timezone, ...(f.late ? { late: true } : {}) },
          }),
        );
      }
      await saveScheduleState(tx, { workflowId: s.workflow_id, cron, timezone, since: due.at(-1)! });
    }
    await insertEvents(tx, events);
    return events.length;
  });
}

/** Ticks every TRIPLINE_SCHEDULE_TICK in each worker process; answers a stop that waits for a tick in flight. */
export function startScheduler(app: AppContext): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(() =>
      tickSchedules(app).catch((error: unknown) => app.log.warn({ err: error }, 'schedule tick failed; the next tick tries again')),
    );
  }, app.config.scheduleTickMs);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
