-- Up Migration

-- Issue #24 point 6: campaigns that reach the store. A campaign may carry store effects (a
-- personal coupon, a sale on SKUs or a category); each activation that applies one records a
-- store change with what it wrote and the before-image a deactivation restores. `wanted` is
-- what the campaign asks for, `status` what the store has: a job brings one to the other.
alter table campaigns add column if not exists store_effects jsonb;

create table campaign_store_changes (
  id text primary key,
  campaign_id text not null references campaigns (id) on delete cascade,
  activation_id text not null,
  source_id text not null,
  kind text not null check (kind in ('coupon', 'sale')),
  customer_id text,
  request jsonb not null,
  wanted text not null check (wanted in ('applied', 'reverted')),
  status text not null default 'pending' check (status in ('pending', 'applied', 'failed', 'reverted')),
  result jsonb,
  before jsonb,
  error text,
  attempts integer not null default 0,
  reverted_by text,
  applied_at timestamptz,
  reverted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index campaign_store_changes_campaign on campaign_store_changes (campaign_id, created_at desc);
create index campaign_store_changes_wanted on campaign_store_changes (campaign_id) where wanted = 'applied';

-- Down Migration
