-- Up Migration

-- Issue 25: deliveries have not been pg-boss jobs since 0009 (the table is its own queue,
-- and `lease_token` names the claim that may record an outcome). The run retry path still
-- regenerated `job_id` when it sent a failed step's delivery again; nothing read it.
alter table deliveries drop column if exists job_id;
