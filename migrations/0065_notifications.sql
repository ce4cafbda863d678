-- Up Migration

-- The one SMTP server emails go through (email steps, alerts, the test email). A single
-- row; the password is AES-256-GCM encrypted by the server (secrets/cipher.ts) and never
-- returned. Without a row, TRIPLINE_SMTP_URL is used.
create table smtp_settings (
  id boolean primary key default true check (id),
  host text not null,
  port integer not null check (port between 1 and 65535),
  security text not null check (security in ('starttls', 'tls', 'none')),
  username text,
  password_encrypted text,
  from_address text not null,
  updated_at timestamptz not null default now(),
  updated_by text
);

-- Emails and Slack messages, each a durable unit of work of its own (server/src/notify/):
-- written with the step (or alert) that asks for it, sent by the notify.send queue, retried
-- with backoff on temporary failures. `idempotency_key` makes a step's message unique per
-- run, node and iteration, so a step executed again finds its message instead of sending a
-- second one. `message` is the rendered message (addresses, subject, bodies; for Slack the
-- credential's name, never the URL).
create table notifications (
  id text primary key,
  kind text not null check (kind in ('email', 'slack')),
  origin text not null check (origin in ('step', 'alert', 'test')),
  idempotency_key text not null unique,
  -- No foreign key: a step asks for its message before its run's row is written (the
  -- batch writes runs at its end, in the same transaction).
  run_id text,
  node_id text,
  iteration integer not null default -1,
  workflow_id text,
  message jsonb not null,
  message_id text,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
  attempt_count integer not null default 0,
  max_attempts integer not null,
  last_attempt_at timestamptz,
  last_response text,
  last_error text,
  created_at timestamptz not null default now(),
  settled_at timestamptz
);
create index notifications_run on notifications (run_id) where run_id is not null;
create index notifications_recent on notifications (last_attempt_at) where last_attempt_at is not null;
create index notifications_workflow_recent on notifications (workflow_id, last_attempt_at) where last_attempt_at is not null;
create index notifications_created on notifications (created_at);

-- Every attempt with the server's answer (SMTP reply or HTTP status), for the delivery record.
create table notification_attempts (
  id bigserial primary key,
  notification_id text not null references notifications (id) on delete cascade,
  attempt integer not null,
  outcome text not null check (outcome in ('sent', 'temporary', 'permanent')),
  response_code integer,
  response text,
  error text,
  duration_ms integer not null,
  created_at timestamptz not null default now()
);
create index notification_attempts_notification on notification_attempts (notification_id, attempt);

