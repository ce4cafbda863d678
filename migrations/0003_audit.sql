-- Up Migration
-- Append-only record of every change: who, when, from where, what, and the before/after.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor text not null,
  actor_id text,
  ip text,
  action text not null,
  target_type text not null,
  target_id text,
  before jsonb,
  after jsonb
);
create index audit_log_at on audit_log (id desc);
create index audit_log_target on audit_log (target_type, target_id);

-- The database itself refuses to rewrite history, whatever the application does.
create function audit_log_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_refuse_change();
