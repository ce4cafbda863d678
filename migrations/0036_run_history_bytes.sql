-- Up Migration

-- Issue 23, item 6: what a run's step rows hold, summed as they are written (db/runs.ts), so
-- a run that has stored its bound of history fails at its next step instead of writing on.
-- A constant default: no table rewrite. Runs from before count from 0.
alter table runs add column history_bytes bigint not null default 0;
