-- Up Migration

-- Issue 23, item 11: the audit log gets its own retention (the auditRetentionDays setting,
-- never shorter than retentionDays). It stays append-only for everything else: no update, no
-- truncate, and a delete only from the retention job, which says so for its own transaction
-- (set local tripline.audit_prune = 'on'; console/retention.ts) and records what it pruned.
create or replace function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' and current_setting('tripline.audit_prune', true) = 'on' then
    return old;
  end if;
  raise exception 'audit_log is append-only';
end;
$$;

-- The prune reads the oldest entries by time.
create index audit_log_time on audit_log (at);
