-- Up Migration
-- The events table is the processing queue (an outbox): a worker claims due events with a
-- short lease instead of one pg-boss job per event. `lease_until` is both the lease of a
-- claimed event and the "not before" of one waiting for a retry; `failed_at` parks an event
-- whose attempts ran out until the sweeper re-drives it.
alter table events
  add column lease_until timestamptz,
  add column attempts integer not null default 0,
  add column last_error text,
  add column failed_at timestamptz;

-- Small: only unprocessed rows are in them, so claiming and the per-subject ordering check
-- stay index lookups however many processed events the table holds.
create index events_unprocessed_seq on events (seq) where processed_at is null;
create index events_unprocessed_subject_seq on events (subject, seq) where processed_at is null;
