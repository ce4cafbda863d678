import type { Queryable } from './queryable.ts';

/** SQL of alerts: the conditions read from the rest of the schema, and the alerts table. */

export interface AlertRow {
  key: string;
  kind: string;
  title: string;
  detail: string;
  link: string;
  opened_at: Date;
  cleared_at: Date | null;
  last_sent_at: Date | null;
  sent_count: number;
  count: number;
}

export async function openAlerts(db: Queryable): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>('select * from alerts where cleared_at is null');
  return rows;
}

export async function listAlerts(db: Queryable, limit: number): Promise<AlertRow[]> {
  const { rows } = await db.query<AlertRow>('select * from alerts order by coalesce(cleared_at, opened_at) desc limit $1', [limit]);
  return rows;
}

/** Opens an alert (again): a fresh opened_at, nothing sent yet for this opening. */
export async function openAlert(db: Queryable, a: { key: string; kind: string; title: string; detail: string; link: string; count: number }): Promise<AlertRow> {
  const { rows } = await db.query<AlertRow>(
    `insert into alerts (key, kind, title, detail, link, opened_at, count) values ($1, $2, $3, $4, $5, now(), $6)
     on conflict (key) do update set kind = excluded.kind, title = excluded.title, detail = excluded.detail, link = excluded.link,
       opened_at = now(), cleared_at = null, last_sent_at = null, sent_count = 0, count = excluded.count
     returning *`,
    [a.key, a.kind, a.title, a.detail, a.link, a.count],
  );
  return rows[0]!;
}

export async function markAlertSent(db: Queryable, key: string, count: number): Promise<void> {
  await db.query('update alerts set last_sent_at = now(), sent_count = sent_count + 1, count = $2 where key = $1', [key, count]);
}

export async function clearAlert(db: Queryable, key: string): Promise<AlertRow> {
  const { rows } = await db.query<AlertRow>('update alerts set cleared_at = now() where key = $1 returning *', [key]);
  return rows[0]!;
}

export async function tryAlertLock(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ locked: boolean }>(`select pg_try_advisory_xact_lock(hashtext('tripline-alert-sweep')) as locked`);
  return rows[0]!.locked;
}

/** Endpoints Tripline disabled itself (410 Gone, failing past the window); not those a person switched off. */
export async function systemDisabledEndpoints(db: Queryable) {
  const { rows } = await db.query<{ id: string; url: string; disabled_reason: string | null }>(
    `select id, url, disabled_reason from endpoints where not enabled and coalesce(disabled_reason, '') not like 'disabled by %'`,
  );
  return rows;
}

/** Enabled endpoints whose deliveries have been failing for longer than `minutes`. */
export async function failingEndpoints(db: Queryable, minutes: number) {
  const { rows } = await db.query<{ id: string; url: string; failing_since: Date }>(
    `select id, url, failing_since from endpoints where enabled and failing_since < now() - make_interval(mins => $1)`,
    [minutes],
  );
  return rows;
}

/** Failed runs per workflow in the last `minutes`. */
export async function recentRunFailures(db: Queryable, minutes: number) {
  const { rows } = await db.query<{ workflow_id: string; name: string; failed: number; last_error: string | null }>(
    `select r.workflow_id, w.name, count(*)::int as failed, (array_agg(r.error order by r.seq desc))[1] as last_error
       from runs r join workflows w on w.id = r.workflow_id
      where r.status = 'failed' and r.finished_at > now() - make_interval(mins => $1)
      group by r.workflow_id, w.name`,
    [minutes],
  );
  return rows;
}

/** Failed runs of one workflow since a time (the count in a repeated message). */
export async function runFailuresSince(db: Queryable, workflowId: string, since: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from runs where workflow_id = $1 and status = 'failed' and finished_at > $2`, [workflowId, since]);
  return rows[0]!.n;
}

/** Connected stores whose link is not healthy, with the reason of the last health change. */
export async function unhealthySources(db: Queryable) {
  const { rows } = await db.query<{ id: string; name: string; health: string; reason: string | null }>(
    `select s.id, s.name, c.health,
            (select e.data->>'reason' from events e where e.type = 'source.health_changed' and e.subject = s.id order by e.seq desc limit 1) as reason
       from source_connections c join sources s on s.id = c.source_id where c.health <> 'healthy'`,
  );
  return rows;
}

/** When the oldest event still waiting to be processed arrived (null: none waiting). */
export async function oldestUnprocessed(db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | null }>('select min(received_at) as at from events where processed_at is null');
  return rows[0]!.at;
}
