import { withTransaction, type Pool, type PoolClient } from './pool.ts';

/**
 * Per-minute rollups of events, finished runs and delivery attempts (overall and per
 * endpoint), folded in by a periodic job from rows the job has not seen, so the dashboard
 * and the endpoint health view read at most a few thousand small rows however long the
 * history is. Nothing on the hot path writes them.
 *
 * Events and attempts are folded by seq/id watermark. A row is folded only once every
 * transaction that could still commit a row below the watermark has ended: the job notes
 * the newest seq it sees, and folds up to it SETTLE_MS later (inserting transactions last
 * milliseconds). Runs change after they are inserted (they finish later), so they are
 * folded by finished_at, up to SETTLE_MS ago. Readers add the rows not folded yet (the
 * last few seconds) from the raw tables, so figures are exact at any moment.
 *
 * One pass runs in one transaction under an advisory lock with the watermarks moved in the
 * same transaction: after a crash or with several processes, each row is folded once.
 */
export const SETTLE_MS = 10_000;
export const FOLD_INTERVAL_MS = 5_000;
/** Each rollup is kept per minute and per hour: `${family}_minutes`, `${family}_hours`. */
export const GRAINS = [
  { unit: 'minute', suffix: 'minutes' },
  { unit: 'hour', suffix: 'hours' },
] as const;

/** Rows (seq/id span) or hours of runs folded per transaction while catching up on history. */
const CHUNK_ROWS = 200_000;
const CHUNK_HOURS = 24;
const LOCK_KEY = `hashtext('tripline.rollups')`;

/** Lower bounds (ms) of the latency buckets of endpoint_minutes.latency_hist. */
export const LATENCY_BOUNDS_MS = [0, 1, 2, 3, 5, 8, 12, 20, 30, 50, 80, 120, 200, 300, 500, 800, 1200, 2000, 3000, 5000, 8000, 12000, 20000, 30000];
const BUCKETS = LATENCY_BOUNDS_MS.map((_, i) => i + 1);
const boundsSql = `array[${LATENCY_BOUNDS_MS.join(',')}]::int[]`;
/** A latency histogram of the attempts in the current group, as an int[] literal expression. */
export const histogramSql = (durationColumn: string) =>
  `array[${BUCKETS.map((b) => `count(*) filter (where width_bucket(${durationColumn}, ${boundsSql}) = ${b})::int`).join(', ')}]`;
/** Element-wise sum of histograms over a group (`sum(h[1]), …`), as an int[] expression. */
export const histogramSumSql = (column: string) => `array[${BUCKETS.map((b) => `coalesce(sum(${column}[${b}]), 0)::int`).join(', ')}]`;
const histogramAdd = (a: string, b: string) => `array[${BUCKETS.map((i) => `${a}[${i}] + ${b}[${i}]`).join(', ')}]`;

/** The median of a latency histogram, interpolated inside its bucket; null when empty. */
export function histogramMedian(hist: number[]): number | null {
  const total = hist.reduce((n, c) => n + c, 0);
  if (total === 0) return null;
  const half = total / 2;
  let seen = 0;
  for (let i = 0; i < hist.length; i++) {
    const c = hist[i]!;
    if (c > 0 && seen + c >= half) {
      const lo = LATENCY_BOUNDS_MS[i]!;
      const hi = LATENCY_BOUNDS_MS[i + 1] ?? lo;
      return lo + ((half - seen) / c) * (hi - lo);
    }
    seen += c;
  }
  return LATENCY_BOUNDS_MS.at(-1)!;
}

export interface Watermarks {
  eventsSeq: number;
  attemptsId: number;
  runsUntil: Date | null;
}

export async function readWatermarks(db: Pick<Pool, 'query'>): Promise<Watermarks> {
  const { rows } = await db.query<{ source: string; folded_upto: string; folded_until: Date | null }>(
    `select source, folded_upto, folded_until from rollup_watermarks`,
  );
  const by = (s: string) => rows.find((r) => r.source === s);
  return { eventsSeq: Number(by('events')?.folded_upto ?? 0), attemptsId: Number(by('attempts')?.folded_upto ?? 0), runsUntil: by('runs')?.folded_until ?? null };
}

type Tx = PoolClient;

/** Folds (folded_upto, seen_upto] of a seq/id source once it has settled; true when more is waiting. */
async function foldBySeq(tx: Tx, settleMs: number, source: 'events' | 'attempts', maxSql: string, fold: (from: number, to: number) => Promise<unknown>): Promise<boolean> {
  const { rows } = await tx.query<{ folded_upto: string; seen_upto: string | null; settled: boolean }>(
    `select folded_upto, seen_upto, seen_at is null or seen_at <= now() - make_interval(secs => $2::float8 / 1000) as settled
       from rollup_watermarks where source = $1 for update`,
    [source, settleMs],
  );
  const w = rows[0]!;
  const folded = Number(w.folded_upto);
  const seen = w.seen_upto === null ? folded : Number(w.seen_upto);
  if (!w.settled) return false;
  const to = Math.min(seen, folded + CHUNK_ROWS);
  if (to > folded) await fold(folded, to);
  if (to < seen) {
    await tx.query(`update rollup_watermarks set folded_upto = $2 where source = $1`, [source, to]);
    return true;
  }
  await tx.query(
    `update rollup_watermarks set folded_upto = $2, seen_upto = greatest($2, coalesce((${maxSql}), 0)), seen_at = now() where source = $1`,
    [source, to],
  );
  return false;
}

async function foldEvents(tx: Tx, settleMs: number): Promise<boolean> {
  return foldBySeq(tx, settleMs, 'events', 'select max(seq) from events', async (from, to) => {
    for (const g of GRAINS) {
      await tx.query(
        `insert into event_${g.suffix} (at, count)
         select date_trunc('${g.unit}', received_at), count(*)::int from events where seq > $1 and seq <= $2 group by 1
         on conflict (at) do update set count = event_${g.suffix}.count + excluded.count`,
        [from, to],
      );
    }
  });
}

async function foldAttempts(tx: Tx, settleMs: number): Promise<boolean> {
  return foldBySeq(tx, settleMs, 'attempts', 'select max(id) from delivery_attempts', async (from, to) => {
    for (const g of GRAINS) await foldAttemptsInto(tx, g, from, to);
  });
}

async function foldAttemptsInto(tx: Tx, g: (typeof GRAINS)[number], from: number, to: number): Promise<void> {
  await tx.query(
    `insert into attempt_${g.suffix} (at, succeeded, failed)
     select date_trunc('${g.unit}', created_at), count(*) filter (where outcome = 'succeeded')::int, count(*) filter (where outcome <> 'succeeded')::int
       from delivery_attempts where id > $1 and id <= $2 group by 1
     on conflict (at) do update set succeeded = attempt_${g.suffix}.succeeded + excluded.succeeded, failed = attempt_${g.suffix}.failed + excluded.failed`,
    [from, to],
  );
  await tx.query(
    `with a as (
       select d.endpoint_id, a.id, a.outcome, a.duration_ms, a.created_at,
              coalesce(a.error, case when a.response_status is not null then 'HTTP ' || a.response_status end) as error
         from delivery_attempts a join deliveries d on d.id = a.delivery_id
        where a.id > $1 and a.id <= $2)
     insert into endpoint_${g.suffix} (endpoint_id, at, attempts, succeeded, latency_hist, last_attempt_at, last_failure_id, last_failure_at, last_failure_error)
     select endpoint_id, date_trunc('${g.unit}', created_at), count(*)::int, count(*) filter (where outcome = 'succeeded')::int,
            ${histogramSql('duration_ms')}, max(created_at),
            max(id) filter (where outcome <> 'succeeded'), max(created_at) filter (where outcome <> 'succeeded'),
            (array_agg(error order by id desc) filter (where outcome <> 'succeeded'))[1]
       from a group by 1, 2
     on conflict (endpoint_id, at) do update set
       attempts = endpoint_${g.suffix}.attempts + excluded.attempts,
       succeeded = endpoint_${g.suffix}.succeeded + excluded.succeeded,
       latency_hist = ${histogramAdd(`endpoint_${g.suffix}.latency_hist`, 'excluded.latency_hist')},
       last_attempt_at = greatest(endpoint_${g.suffix}.last_attempt_at, excluded.last_attempt_at),
       last_failure_id = greatest(endpoint_${g.suffix}.last_failure_id, excluded.last_failure_id),
       last_failure_at = greatest(endpoint_${g.suffix}.last_failure_at, excluded.last_failure_at),
       last_failure_error = case when excluded.last_failure_id > coalesce(endpoint_${g.suffix}.last_failure_id, 0)
                                 then excluded.last_failure_error else endpoint_${g.suffix}.last_failure_error end`,
    [from, to],
  );
}

async function foldRuns(tx: Tx, settleMs: number): Promise<boolean> {
  const { rows } = await tx.query<{ from: Date | null; until: Date; to: Date | null }>(
    `select w.folded_until as from, now() - make_interval(secs => $1::float8 / 1000) as until,
            coalesce(w.folded_until, (select min(finished_at) from runs where finished_at is not null)) as to
       from rollup_watermarks w where source = 'runs' for update`,
    [settleMs],
  );
  const { from, until } = rows[0]!;
  const start = rows[0]!.to ?? until;
  const end = new Date(Math.min(until.getTime(), start.getTime() + CHUNK_HOURS * 3_600_000));
  for (const g of GRAINS) {
    await tx.query(
      `insert into run_${g.suffix} (at, succeeded, failed)
       select date_trunc('${g.unit}', finished_at), count(*) filter (where status = 'succeeded')::int, count(*) filter (where status = 'failed')::int
         from runs where finished_at is not null and ($1::timestamptz is null or finished_at >= $1) and finished_at < $2 group by 1
       on conflict (at) do update set succeeded = run_${g.suffix}.succeeded + excluded.succeeded, failed = run_${g.suffix}.failed + excluded.failed`,
      [from, end],
    );
  }
  await tx.query(`update rollup_watermarks set folded_until = $1 where source = 'runs'`, [end]);
  return end < until;
}

/**
 * One fold of every source, each in its own transaction under the rollup lock; loops while
 * a source is catching up on history. Returns false when another process holds the lock.
 */
export async function foldRollups(pool: Pool, settleMs = SETTLE_MS): Promise<boolean> {
  for (const fold of [foldEvents, foldAttempts, foldRuns]) {
    for (;;) {
      const more = await withTransaction(pool, async (tx) => {
        const { rows } = await tx.query<{ ok: boolean }>(`select pg_try_advisory_xact_lock(${LOCK_KEY}) as ok`);
        if (!rows[0]!.ok) return null;
        return fold(tx, settleMs);
      });
      if (more === null) return false;
      if (!more) break;
    }
  }
  return true;
}

/**
 * Counts the runs finished since `since` again from the runs table. The fold sees runs as
 * they finish; runs written with a finish time already in the past (a bulk load of history,
 * a restore) are added by this instead.
 */
export async function refoldRuns(pool: Pool, since: Date): Promise<void> {
  await withTransaction(pool, async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(${LOCK_KEY})`);
    const { rows } = await tx.query<{ folded_until: Date | null }>(`select folded_until from rollup_watermarks where source = 'runs' for update`);
    const until = rows[0]?.folded_until;
    if (!until) return;
    for (const g of GRAINS) {
      await tx.query(`delete from run_${g.suffix} where at >= date_trunc('${g.unit}', $1::timestamptz)`, [since]);
      await tx.query(
        `insert into run_${g.suffix} (at, succeeded, failed)
         select date_trunc('${g.unit}', finished_at), count(*) filter (where status = 'succeeded')::int, count(*) filter (where status = 'failed')::int
           from runs where finished_at >= date_trunc('${g.unit}', $1::timestamptz) and finished_at < $2 group by 1`,
        [since, until],
      );
    }
  });
}

/** Deletes rollup rows older than the cutoff (retention); the hour holding the cutoff stays. */
export async function pruneRollups(pool: Pool, cutoff: string): Promise<void> {
  for (const family of ['event', 'run', 'attempt', 'endpoint']) {
    for (const g of GRAINS) await pool.query(`delete from ${family}_${g.suffix} where at < date_trunc('${g.unit}', $1::timestamptz)`, [cutoff]);
  }
}
