-- Up Migration

-- Events: every accepted event (raw, derived, system). The id is the client's (or generated),
-- so a repeated id is detected by the primary key and never processed twice.
create table events (
  id text primary key,
  seq bigserial not null unique,
  type text not null,
  occurred_at timestamptz not null,
  received_at timestamptz not null default now(),
  source text not null,
  caused_by text,
  chain text[] not null default '{}',
  subject text,
  data jsonb not null,
  processed_at timestamptz
);
create index events_type_seq on events (type, seq desc);
create index events_subject_seq on events (subject, seq desc);
create index events_caused_by on events (caused_by) where caused_by is not null;
create index events_received_at on events (received_at);

-- Workflows: the editable draft lives on the row; published versions are immutable.
create table workflows (
  id text primary key,
  name text not null,
  description text,
  draft jsonb not null,
  draft_revision integer not null default 1,
  enabled boolean not null default true,
  published_version integer,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  created_by text,
  updated_by text,
  deleted_at timestamptz
);

create table workflow_versions (
  workflow_id text not null references workflows (id) on delete cascade,
  version integer not null,
  graph jsonb not null,
  published_at timestamptz not null default now(),
  published_by text,
  primary key (workflow_id, version)
);

-- The routing table: one row per live (published and enabled) workflow, keyed by the
-- trigger's event type, so matching an event costs one index lookup however many
-- workflows listen to other types.
create table workflow_triggers (
  workflow_id text primary key references workflows (id) on delete cascade,
  version integer not null,
  event_type text not null,
  config jsonb not null
);
create index workflow_triggers_event_type on workflow_triggers (event_type);

create table runs (
  id text primary key,
  seq bigserial not null unique,
  workflow_id text not null references workflows (id) on delete cascade,
  version integer not null,
  event_id text not null,
  event_type text not null,
  subject text,
  status text not null check (status in ('running', 'waiting', 'succeeded', 'failed', 'cancelled')),
  current_node text,
  error text,
  depth integer not null default 0,
  -- Fields set by transform steps, visible to later steps as `vars`.
  vars jsonb not null default '{}',
  attempt integer not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  -- One run per workflow per event: redelivered jobs find the run instead of starting another.
  unique (workflow_id, event_id)
);
create index runs_seq on runs (seq desc);
create index runs_workflow_seq on runs (workflow_id, seq desc);
create index runs_status_seq on runs (status, seq desc);
create index runs_event_type_seq on runs (event_type, seq desc);
create index runs_subject_seq on runs (subject, seq desc);
create index runs_event on runs (event_id);

create table run_steps (
  run_id text not null references runs (id) on delete cascade,
  node_id text not null,
  node_type text not null,
  seq integer not null,
  status text not null check (status in ('running', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled')),
  input jsonb,
  output jsonb,
  error text,
  attempts integer not null default 1,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (run_id, node_id)
);

-- Per-entity state the derived events are computed from.
create table product_state (
  sku text primary key,
  quantity integer not null,
  category text,
  last_event_at timestamptz not null,
  updated_at timestamptz not null default now()
);

-- Edge-triggered thresholds: one row per (sku, threshold, direction) that some live
-- trigger watches; `fired` until stock crosses back, which re-arms it.
create table threshold_state (
  sku text not null,
  threshold integer not null,
  direction text not null check (direction in ('below', 'above')),
  fired boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (sku, threshold, direction)
);

create table customer_state (
  customer_id text primary key,
  email text,
  name text,
  tags text[] not null default '{}',
  ltv numeric(14, 2) not null default 0,
  ltv_tier text not null default 'bronze',
  order_count integer not null default 0,
  first_order_at timestamptz,
  last_order_at timestamptz,
  lifecycle_stage text not null default 'new',
  segments text[] not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index customer_state_last_order on customer_state (last_order_at);

-- Orders counted toward LTV (once per order id) and refunds applied (once per event).
create table order_ledger (
  order_id text primary key,
  customer_id text not null,
  paid_amount numeric(14, 2) not null default 0,
  refunded_amount numeric(14, 2) not null default 0,
  counted_at timestamptz not null default now()
);

create table carts (
  cart_id text primary key,
  customer_id text not null,
  version integer not null default 1,
  data jsonb not null,
  status text not null default 'open' check (status in ('open', 'converted', 'abandoned')),
  last_event_at timestamptz not null,
  updated_at timestamptz not null default now()
);
create index carts_customer on carts (customer_id) where status = 'open';

create table segments (
  name text primary key,
  description text,
  rule jsonb not null,
  created_at timestamptz not null default now()
);

create table campaigns (
  id text primary key,
  name text not null,
  kind text not null check (kind in ('bogo', 'percent_off', 'free_shipping', 'custom')),
  status text not null default 'inactive' check (status in ('active', 'inactive', 'scheduled')),
  description text,
  schedule jsonb,
  audience jsonb,
  active_until timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table campaign_activations (
  id text primary key,
  campaign_id text not null references campaigns (id) on delete cascade,
  action text not null check (action in ('activate', 'deactivate')),
  run_id text,
  user_id text,
  actor text,
  customer_id text,
  segment text,
  until timestamptz,
  created_at timestamptz not null default now()
);
create index campaign_activations_campaign on campaign_activations (campaign_id, created_at desc);

-- Webhook subscribers. Secrets are stored encrypted (AES-256-GCM), never in clear.
create table endpoints (
  id text primary key,
  url text not null,
  description text,
  event_types text[] not null default '{}',
  filter jsonb,
  enabled boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  rate_limit_per_second integer,
  max_concurrency integer,
  headers jsonb not null default '{}',
  auth jsonb not null default '{"kind": "none"}',
  auth_secret_enc text,
  secret_enc text not null,
  previous_secret_enc text,
  previous_secret_expires_at timestamptz,
  failing_since timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One message to one endpoint; its id is the stable `webhook-id` across retries.
create table deliveries (
  id text primary key,
  seq bigserial not null unique,
  endpoint_id text not null references endpoints (id) on delete cascade,
  event_id text not null,
  event_type text not null,
  run_id text,
  node_id text,
  payload jsonb not null,
  status text not null check (status in ('pending', 'sending', 'succeeded', 'failed', 'paused')),
  attempt_count integer not null default 0,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null default now(),
  delivered_at timestamptz,
  updated_at timestamptz not null default now()
);
-- An event reaches a subscribed endpoint once; a workflow step sends once per run.
create unique index deliveries_subscription_once on deliveries (endpoint_id, event_id) where run_id is null;
create unique index deliveries_step_once on deliveries (run_id, node_id) where run_id is not null;
create index deliveries_endpoint_seq on deliveries (endpoint_id, seq desc);
create index deliveries_status on deliveries (status, endpoint_id);
create index deliveries_event on deliveries (event_id);

create table delivery_attempts (
  id bigserial primary key,
  delivery_id text not null references deliveries (id) on delete cascade,
  attempt integer not null,
  url text not null,
  request_headers jsonb not null,
  request_body text not null,
  response_status integer,
  response_headers jsonb,
  response_body text,
  duration_ms integer not null,
  outcome text not null,
  error_class text,
  error text,
  created_at timestamptz not null default now()
);
create index delivery_attempts_delivery on delivery_attempts (delivery_id, id);
create index delivery_attempts_created on delivery_attempts (created_at);

-- WooCommerce (and future) event sources with their signing secret, encrypted.
create table sources (
  id text primary key,
  kind text not null check (kind in ('woocommerce')),
  name text not null,
  secret_enc text not null,
  created_at timestamptz not null default now()
);

create table source_deliveries (
  source_id text not null references sources (id) on delete cascade,
  delivery_id text not null,
  received_at timestamptz not null default now(),
  primary key (source_id, delivery_id)
);
