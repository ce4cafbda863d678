-- Up Migration
-- tripline:no-transaction
-- Lean history (issue 14): each stored event costs less. Runs outside a transaction, one
-- statement at a time (server/src/db/migrate.ts), so indexes on the large tables are built
-- and dropped CONCURRENTLY while writes go on; every statement may run again after a failure.
-- Nothing here rewrites a table or scans one under an exclusive lock: the two ALTERs change
-- the catalog only (a brief ACCESS EXCLUSIVE lock each, bounded by lock_timeout so a long
-- transaction in the way makes the migration fail and retry rather than stall the store).
set lock_timeout = '10s';

-- A subscription delivery whose payload is its event's envelope stores null and builds it
-- from the event when it is sent or shown (server/src/delivery/lean-storage.ts). Rows
-- stored before keep their payload and age out with retention.
alter table deliveries alter column payload drop not null;

-- Drop indexes a failed earlier run of this file left half-built (INVALID).
do $$
declare
  name text;
begin
  for name in
    select c.relname from pg_index i join pg_class c on c.oid = i.indexrelid
     where not i.indisvalid and c.relname in ('runs_event_workflow', 'deliveries_endpoint_unsucceeded_seq', 'events_derived_type_seq', 'runs_unsucceeded_status_seq',
                       'deliveries_subscription_event', 'deliveries_step_event')
  loop
    execute format('drop index %I', name);
  end loop;
end;
$$;

-- One unique index on (event_id, workflow_id) is both "one run per workflow and event" (the
-- insert's `on conflict (workflow_id, event_id)` infers it: same columns) and the lookup of
-- an event's runs, which had an index of its own (runs_event).
create unique index concurrently if not exists runs_event_workflow on runs (event_id, workflow_id);
alter table runs drop constraint if exists runs_workflow_id_event_id_key;
drop index concurrently if exists runs_event;

-- Runs by status: the same holds (runs list, the dashboard's waiting count).
create index concurrently if not exists runs_unsucceeded_status_seq on runs (status, seq desc) where status <> 'succeeded';
drop index concurrently if exists runs_status_seq;

-- "An event reaches a subscribed endpoint once" with the event first, (event_id, endpoint_id),
-- also finds an event's subscription deliveries; its step deliveries (the few) have a partial
-- index of their own, and the whole-table deliveries_event goes. Readers by event ask both
-- halves (`run_id is null or run_id is not null`: a BitmapOr of the two).
create unique index concurrently if not exists deliveries_subscription_event on deliveries (event_id, endpoint_id) where run_id is null;
drop index concurrently if exists deliveries_subscription_once;
create index concurrently if not exists deliveries_step_event on deliveries (event_id) where run_id is not null;
drop index concurrently if exists deliveries_event;

-- Endpoint deliveries by status: nearly every delivery has succeeded, and a walk of the
-- endpoint's deliveries (deliveries_endpoint_seq) finds succeeded ones at once; the index
-- is needed for the rare statuses only, so it holds only those.
create index concurrently if not exists deliveries_endpoint_unsucceeded_seq on deliveries (endpoint_id, status, seq desc)
  where status <> 'succeeded';
drop index concurrently if exists deliveries_endpoint_status_seq;
-- (endpoint_id, status, created_at) served the same filters with a time range; the rare
-- statuses are in the index above, "succeeded" is most of the endpoint's deliveries.
drop index concurrently if exists deliveries_endpoint_status_created;

-- Events of a type, newest first: the roots are in events_roots_type_seq (0016), the derived
-- ones in this partial index; GET /events with a type merges the two (db/events.ts), so the
-- whole-table (type, seq) index goes.
create index concurrently if not exists events_derived_type_seq on events (type, seq desc) where caused_by is not null;
drop index concurrently if exists events_type_seq;
-- Root events without a type: nearly every event is a root, so the newest ones are found by
-- walking events_seq_key; a partial copy of it is not worth its size.
drop index concurrently if exists events_roots_seq;

-- Attempts age out with their delivery (retention.ts), by the delivery's created_at; every
-- other read of attempts goes by id (rollup watermarks) or by delivery.
drop index concurrently if exists delivery_attempts_created;

reset lock_timeout;
