-- Up Migration

-- for_each (issue 17): a step inside a loop runs once per item, so a step row and a
-- webhook step's delivery are per (run, node, iteration). -1 is "not inside a loop" (the
-- same convention as run_waits.iteration from 0013), so existing rows keep their meaning.
alter table run_steps add column iteration integer not null default -1;
alter table run_steps drop constraint run_steps_pkey;
alter table run_steps add primary key (run_id, node_id, iteration);

alter table deliveries add column iteration integer not null default -1;
-- A workflow step sends once per run, node and iteration: a slice re-run after a crash (or
-- a redelivered job) finds the iteration's delivery instead of sending a second one.
drop index deliveries_step_once;
create unique index deliveries_step_once on deliveries (run_id, node_id, iteration) where run_id is not null;

-- The loop a run is inside, between slices: the for_each node, its items (snapshotted when
-- the loop started, so a resumed iteration sees the same list), the current index and the
-- vars each iteration starts from. null outside a loop.
alter table runs add column loop_state jsonb;
