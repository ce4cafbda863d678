-- Up Migration
-- A version published by rolling back records which version it restored, so the versions
-- list can say "v3 · rollback of v1" instead of looking like a fresh publish.
alter table workflow_versions add column rolled_back_from integer;
