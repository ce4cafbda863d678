/**
 * EXPLAIN (ANALYZE, BUFFERS) of each formerly slow read of issue 14 on the grown store,
 * written as markdown for docs/scaling.md. The statements are the ones the server sends
 * (server/src/console/stats.ts, endpoint-health.ts, retention.ts, audit/query.ts, the list
 * routes), with the parameters of the bench's requests.
 */
import fs from 'node:fs';
import pg from 'pg';
import { CLEAN_ENDPOINT, DERIVED_TYPE, RARE_ACTOR, SPAN_DAYS, type Seeded } from './generate.ts';

export async function explainReads(url: string, seeded: Seeded, file: string): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  const clean = seeded.endpointIds[CLEAN_ENDPOINT]!;
  const mid = new Date(Date.now() - (SPAN_DAYS / 2) * 86_400_000);
  const since = mid.toISOString();
  const until = new Date(mid.getTime() + 3_600_000).toISOString();
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const now = new Date().toISOString();
  const cutoff = new Date(Date.now() - 30 * 86_400_000).toISOString();
  const cols = `id, seq, endpoint_id, event_id, event_type, run_id, node_id, status, attempt_count, next_attempt_at, last_status_code, last_error, created_at, delivered_at, updated_at`;
  const out: string[] = [`# EXPLAIN of the history reads (${new Date().toISOString()})`, ''];
  try {
    const w = await c.query(`select source, folded_upto from rollup_watermarks`).catch(() => ({ rows: [] as { source: string; folded_upto: string }[] }));
    const mark = (s: string) => Number(w.rows.find((r) => r.source === s)?.folded_upto ?? 0);
    const bounds = (
      await c.query<{ above: number | null; below: number | null }>(
        `select (select seq from runs where created_at < $1::timestamptz - interval '1 minute' order by created_at desc limit 1) as above,
                (select seq from runs where created_at >= $2::timestamptz + interval '1 minute' order by created_at limit 1) as below`,
        [since, until],
      )
    ).rows[0]!;
    const reads: [string, string, unknown[]][] = [
      ['Endpoint deliveries, status=failed on an endpoint with none failed', `select ${cols} from deliveries where endpoint_id = $1 and status = $2 order by seq desc limit 51`, [clean, 'failed']],
      ['Endpoint deliveries of an event type never stored', `select ${cols} from deliveries where endpoint_id = $1 and event_type = $2 order by seq desc limit 51`, [clean, 'never.stored']],
      [
        'Dashboard 7 d: attempts series (hour rollups + attempts not folded yet)',
        `with b as (select generate_series($1::timestamptz, $2::timestamptz - $3::interval, $3::interval) as at),
              c as (select date_bin($3::interval, at, $1::timestamptz) as at, succeeded, failed from attempt_hours where at >= $1 and at < $2
                    union all
                    select date_bin($3::interval, created_at, $1::timestamptz), (outcome = 'succeeded')::int, (outcome <> 'succeeded')::int from delivery_attempts
                     where id > $4 and created_at >= $1 and created_at < $2),
              s as (select at, sum(succeeded)::int as succeeded, sum(failed)::int as failed from c group by at)
         select b.at, coalesce(s.succeeded, 0), coalesce(s.failed, 0) from b left join s using (at) order by b.at`,
        [weekAgo, now, '3600 seconds', mark('attempts')],
      ],
      [
        'Dashboard 7 d: deliveries failing',
        `select count(*)::int from deliveries where (status = 'failed' or (status in ('pending', 'sending') and attempt_count > 0 and last_error is not null)) and updated_at >= $1`,
        [weekAgo],
      ],
      [
        'Endpoint health (24 h of endpoint rollups: the first partial hour per minute, the rest per hour)',
        `with since as (select date_trunc('minute', now() - interval '24 hours') as at),
              m as (select endpoint_id, attempts, succeeded, last_failure_at, last_attempt_at from endpoint_minutes
                     where at >= (select at from since) and at < date_trunc('hour', (select at from since)) + interval '1 hour'
                    union all
                    select endpoint_id, attempts, succeeded, last_failure_at, last_attempt_at from endpoint_hours
                     where at >= date_trunc('hour', (select at from since)) + interval '1 hour')
         select endpoint_id, sum(attempts), sum(succeeded), max(last_failure_at), max(last_attempt_at) from m group by endpoint_id`,
        [],
      ],
      [
        'Runs in a one-hour range, 15 days back (seq bounds from runs_created_at)',
        `select r.seq, r.id, w.name from runs r join workflows w on w.id = r.workflow_id
          where r.created_at >= $1 and r.created_at < $2 and ($3::bigint is null or r.seq > $3) and ($4::bigint is null or r.seq < $4)
          order by r.seq desc limit 51`,
        [since, until, bounds.above, bounds.below],
      ],
      ['Events, rootsOnly with a type', `select seq, id, type from events where seq in (select seq from events where type = $1 and caused_by is null order by seq desc limit 51) order by seq desc`, [DERIVED_TYPE]],
      ['Audit, actor substring', `select * from audit_log where actor ilike $1 escape '\\' order by id desc limit 51`, [`%${RARE_ACTOR.slice(0, 8)}%`]],
      ['Retention, empty prune: old finished deliveries', `select id from deliveries where created_at < $1 and status not in ('pending', 'sending') limit 2000`, [cutoff]],
      ['Retention, empty prune: old finished runs', `select id from runs where created_at < $1 and status not in ('running', 'waiting') limit 2000`, [cutoff]],
      [
        'Retention, empty prune: old processed events',
        `select e.id from events e where e.received_at < $1 and e.processed_at is not null
            and not exists (select 1 from runs r where r.event_id = e.id and r.status in ('running', 'waiting')) limit 2000`,
        [cutoff],
      ],
    ];
    for (const [title, sql, params] of reads) {
      // Plain SQL with literals, so the plan is the custom plan the server's one-shot statements get.
      out.push(`## ${title}`, '', '```');
      try {
        const { rows } = await c.query(`explain (analyze, buffers, costs off) ${sql}`, params);
        out.push(...rows.map((r) => r['QUERY PLAN'] as string));
      } catch (error) {
        out.push(`(not on this schema: ${(error as Error).message})`);
      }
      out.push('```', '');
    }
  } finally {
    await c.end();
  }
  fs.writeFileSync(file, out.join('\n'));
}
