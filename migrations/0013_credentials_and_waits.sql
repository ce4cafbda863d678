-- Up Migration

-- Credentials for HTTP request steps, referenced by name from workflow JSON (which never
-- holds the value). The value is AES-256-GCM encrypted by the server (secrets/cipher.ts)
-- and never returned by the API; `hint` keeps its last four characters for recognition.
create table credentials (
  name text primary key check (name ~ '^[A-Za-z_][A-Za-z0-9_]{0,49}$'),
  description text,
  value_encrypted text not null,
  hint text not null,
  created_at timestamptz not null default now(),
  created_by text,
  updated_at timestamptz not null default now()
);

-- Runs parked at a wait_for_event step (wired by the new step loop). An arriving event
-- finds the runs waiting for it by (event_type, correlation_key), the subject by default,
-- in one index lookup, never by scanning every waiting run; `expires_at` is when the
-- `timeout` output is taken. One wait per run and node (per iteration inside a for_each).
create table run_waits (
  run_id text not null references runs (id) on delete cascade,
  node_id text not null,
  iteration integer not null default -1,
  event_type text not null,
  correlation_key text not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  primary key (run_id, node_id, iteration)
);
create index run_waits_match on run_waits (event_type, correlation_key);
create index run_waits_expiry on run_waits (expires_at);
