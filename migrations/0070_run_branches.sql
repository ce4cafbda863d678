-- Up Migration

-- Issue 26, item 4: an output may lead to several steps, each its own branch of the run.
-- runs.branches holds a forked run's cursors (engine/runs/branches.ts: each branch's id,
-- node, status, vars, loop); null for a run that never forked (almost all), which keeps
-- its single cursor in current_node, vars and loop_state as before.
-- run_steps.branch says which branch ran a step ("1", "2", "1.2"); null before any fork.
-- Nullable without defaults: no table rewrite.
alter table runs add column branches jsonb;
alter table run_steps add column branch text;
