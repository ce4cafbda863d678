-- Up Migration

-- A connected store's keys live in one place: sources.consumer_key_enc / consumer_secret_enc
-- (0045, read by the write-back node too). The connection row keeps only the link's state.
alter table sources add column if not exists store_url text;
alter table sources add column if not exists consumer_key_enc text;
alter table sources add column if not exists consumer_secret_enc text;
alter table source_connections drop column if exists keys_enc;

-- Down Migration
