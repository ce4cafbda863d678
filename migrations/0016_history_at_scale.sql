-- Up Migration
-- tripline:no-transaction
-- History at scale (issue 14): every read of history costs the same at 2 million events as at
-- 10,000. Indexes on the large tables are built CONCURRENTLY (writes go on while they build),
-- so this file runs outside a transaction, one statement at a time (server/src/db/migrate.ts),
-- and every statement may run again after a failure. An index left INVALID by a failed
-- concurrent build is dropped first, then built again.

-- Trigram search for the audit log's actor filter ("ana" finds ana@…); pg_trgm ships with
-- PostgreSQL's contrib (in the embedded bundle and in Debian's postgresql-15).
create extension if not exists pg_trgm;

-- Drop indexes a failed earlier run of this file left half-built (INVALID).
do $$
declare
  name text;
begin
  for name in
    select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid
     where not i.indisvalid and c.relname in (
       'deliveries_endpoint_status_seq', 'deliveries_endpoint_type_seq', 'deliveries_created_at',
       'deliveries_failing_updated', 'runs_created_at', 'events_roots_type_seq', 'events_roots_seq',
       'audit_log_actor_trgm')
  loop
    execute format('drop index %I', name);
  end loop;
end;
$$;

-- Endpoint deliveries filtered by status or by event type, newest first: one range scan
-- on (endpoint, filter) in seq order, instead of walking every delivery of the endpoint.
create index concurrently if not exists deliveries_endpoint_status_seq on deliveries (endpoint_id, status, seq desc);
create index concurrently if not exists deliveries_endpoint_type_seq on deliveries (endpoint_id, event_type, seq desc);

-- Retention's time columns: an empty prune is one index probe per table.
create index concurrently if not exists deliveries_created_at on deliveries (created_at);
create index concurrently if not exists runs_created_at on runs (created_at);

-- The dashboard's "deliveries failing": only failing deliveries are in this index, so the
-- count reads the failing ones updated in the window, not every failed delivery ever stored.
create index concurrently if not exists deliveries_failing_updated on deliveries (updated_at)
  where status = 'failed' or (status in ('pending', 'sending') and attempt_count > 0 and last_error is not null);

-- Root events (not derived), by type and overall, newest first.
create index concurrently if not exists events_roots_type_seq on events (type, seq desc) where caused_by is null;
create index concurrently if not exists events_roots_seq on events (seq desc) where caused_by is null;

create index concurrently if not exists audit_log_actor_trgm on audit_log using gin (actor gin_trgm_ops);

-- Duplicates: runs_seq_key (the unique constraint's index) already serves `order by seq desc`
-- (a btree scans both ways), and audit_log_pkey serves `order by id desc`.
drop index concurrently if exists runs_seq;
drop index concurrently if exists audit_log_at;

-- Per-minute rollups for the dashboard series and endpoint health, kept up by the fold job
-- (server/src/console/rollups.ts) from new rows; the reads add the few rows not folded yet.
create table if not exists rollup_watermarks (
  source text primary key,
  -- events (seq) and attempts (id): rows up to folded_upto are in the rollups.
  folded_upto bigint not null default 0,
  -- The newest seq/id seen at seen_at: folded once every transaction that could still
  -- commit a row below it has ended (a settle delay after seen_at).
  seen_upto bigint,
  seen_at timestamptz,
  -- runs (finished_at): runs finished before folded_until are in the rollups.
  folded_until timestamptz
);
insert into rollup_watermarks (source) values ('events'), ('attempts'), ('runs') on conflict do nothing;

-- Each rollup exists per minute (windows up to a day) and per hour (the 7-day window, and the
-- whole hours of the health view's day), so a read sums at most a few hundred rows a series.
create table if not exists event_minutes (at timestamptz primary key, count integer not null);
create table if not exists event_hours (at timestamptz primary key, count integer not null);

create table if not exists run_minutes (at timestamptz primary key, succeeded integer not null, failed integer not null);
create table if not exists run_hours (at timestamptz primary key, succeeded integer not null, failed integer not null);

create table if not exists attempt_minutes (at timestamptz primary key, succeeded integer not null, failed integer not null);
create table if not exists attempt_hours (at timestamptz primary key, succeeded integer not null, failed integer not null);

-- One row per endpoint per minute (and per hour) with attempts; latency_hist counts attempts
-- per latency bucket (bounds in rollups.ts), from which the health view's median is read.
create table if not exists endpoint_minutes (
  endpoint_id text not null,
  at timestamptz not null,
  attempts integer not null,
  succeeded integer not null,
  latency_hist integer[] not null,
  last_attempt_at timestamptz not null,
  last_failure_id bigint,
  last_failure_at timestamptz,
  last_failure_error text,
  primary key (endpoint_id, at)
);
create index if not exists endpoint_minutes_at on endpoint_minutes (at);
create table if not exists endpoint_hours (like endpoint_minutes including all);
