-- Up Migration
-- API keys belong to the person who made them: when that person is disabled or deleted,
-- their keys stop working (checked on every request, so at once). No foreign key on
-- purpose: a deleted user's id stays here, and matching no user is what stops the key.
-- Keys made by another API key inherit that key's owner; keys made by the
-- TRIPLINE_API_KEY (the installation itself) have none.
alter table api_keys add column owner_user_id text;
update api_keys k set owner_user_id = u.id from users u where lower(k.created_by) = lower(u.email);
create index api_keys_owner on api_keys (owner_user_id);

-- WooCommerce de-duplication keys are pruned with the retention setting.
create index source_deliveries_received on source_deliveries (received_at);
