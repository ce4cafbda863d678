-- Up Migration

-- Which pg-boss job may act on a delivery: replay and recovery issue a new job and the
-- older one (a retry still scheduled) finds it is no longer the delivery's job and does
-- nothing. `retry_from` is the attempt count at the last replay, so a replayed delivery
-- gets the whole retry schedule again.
alter table deliveries
  add column job_id text,
  add column retry_from integer not null default 0;

-- Fan-out: the enabled endpoints subscribed to a type (exact, `order.*` or `*`) in one
-- index lookup (`event_types && array[type, prefix.*, *]`).
create index endpoints_event_types on endpoints using gin (event_types) where enabled;
create index deliveries_endpoint_status_created on deliveries (endpoint_id, status, created_at);

-- Per-endpoint rate limit and concurrency, shared by every worker process: one row per
-- attempt in flight or started within the last second. Taken under a row lock on the
-- endpoint, released when the attempt ends; a crashed worker's slot expires.
create table endpoint_slots (
  endpoint_id text not null references endpoints (id) on delete cascade,
  delivery_id text not null,
  started_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null,
  released_at timestamptz
);
create index endpoint_slots_endpoint on endpoint_slots (endpoint_id, started_at);

-- What a source last told us about an entity (a WooCommerce order's status, a product's
-- stock), so `order.updated` can be turned into the transition it is (paid, refunded …).
create table source_entity_state (
  source_id text not null references sources (id) on delete cascade,
  kind text not null,
  entity_id text not null,
  state jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (source_id, kind, entity_id)
);
