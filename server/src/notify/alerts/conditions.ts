import type { SettingValue } from '@tripline/shared';
import { failingEndpoints, oldestUnprocessed, recentRunFailures, systemDisabledEndpoints, unhealthySources } from '../../db/alerts.ts';
import type { Queryable } from '../../db/queryable.ts';

/** Runs failing: at most one message per workflow per this many minutes, with the count. */
export const RUN_ALERT_MINUTES = 15;
/** An enabled endpoint failing for longer than this is an alert (shorter blips retry quietly). */
export const ENDPOINT_FAILING_MINUTES = 10;

/** Something wrong right now, as an alert would say it; `link` is the console page that explains it. */
export interface Condition {
  key: string;
  kind: 'endpoint-disabled' | 'endpoint-failing' | 'runs' | 'source' | 'backlog';
  title: string;
  detail: string;
  link: string;
  count: number;
}

/**
 * Reads what is wrong from the state Tripline already keeps (endpoints, runs, store
 * connections, the event outbox): alerts need no hooks in the code that changes it, and a
 * worker that was down sees the same conditions when it comes back.
 */
export async function currentConditions(db: Queryable, settings: SettingValue<'alerts'>, now = new Date()): Promise<Condition[]> {
  const found: Condition[] = [];
  if (settings.endpoints) {
    for (const e of await systemDisabledEndpoints(db)) {
      found.push({ key: `endpoint-disabled:${e.id}`, kind: 'endpoint-disabled', title: `Endpoint disabled: ${e.url}`, detail: `Tripline disabled it: ${e.disabled_reason ?? 'no reason recorded'}. Its deliveries are paused until it is enabled again.`, link: `/endpoints/${e.id}`, count: 1 });
    }
    for (const e of await failingEndpoints(db, ENDPOINT_FAILING_MINUTES)) {
      found.push({ key: `endpoint-failing:${e.id}`, kind: 'endpoint-failing', title: `Endpoint failing: ${e.url}`, detail: `Deliveries to it have been failing since ${e.failing_since.toISOString()}; they are being retried.`, link: `/endpoints/${e.id}`, count: 1 });
    }
  }
  if (settings.runs) {
    for (const w of await recentRunFailures(db, RUN_ALERT_MINUTES)) {
      found.push({ key: `runs:${w.workflow_id}`, kind: 'runs', title: `Runs failing: ${w.name}`, detail: `${w.failed} run(s) failed in the last ${RUN_ALERT_MINUTES} minutes. Last error: ${(w.last_error ?? '').slice(0, 300)}`, link: `/runs?workflowId=${w.workflow_id}&status=failed`, count: w.failed });
    }
  }
  if (settings.sources) {
    for (const s of await unhealthySources(db)) {
      found.push({ key: `source:${s.id}`, kind: 'source', title: `Store connection ${s.health}: ${s.name}`, detail: s.reason ?? `the store connection is ${s.health}`, link: `/sources/${s.id}`, count: 1 });
    }
  }
  if (settings.backlog) {
    const oldest = await oldestUnprocessed(db);
    const minutes = oldest ? Math.floor((now.getTime() - oldest.getTime()) / 60_000) : 0;
    if (oldest && minutes >= settings.backlogMinutes) {
      found.push({ key: 'backlog', kind: 'backlog', title: `Event backlog: the oldest waiting event is ${minutes} minutes old`, detail: `Events are waiting to be processed since ${oldest.toISOString()} (threshold ${settings.backlogMinutes} minutes): workers may be down or overloaded.`, link: '/dashboard', count: 1 });
    }
  }
  return found;
}
