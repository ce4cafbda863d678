import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';
import type { TestTripline } from '../support/tripline.ts';

/**
 * A loopback WooCommerce store with read/write keys, and a Tripline source connected to it
 * (its store URL and keys stored encrypted, as connecting a store does).
 */
export async function connectedStore(t: TestTripline): Promise<{ emu: WooEmulator; sourceId: string }> {
  const emu = await startWooEmulator();
  const keys = emu.addKey('read_write');
  const sourceId = `src_${Math.random().toString(36).slice(2, 10)}`;
  await t.ctx.pool.query(
    `insert into sources (id, kind, name, secret_enc, store_url, consumer_key_enc, consumer_secret_enc) values ($1, 'woocommerce', 'Emulated store', $2, $3, $4, $5)`,
    [sourceId, t.ctx.secrets.encrypt('whsec'), emu.url, t.ctx.secrets.encrypt(keys.consumerKey), t.ctx.secrets.encrypt(keys.consumerSecret)],
  );
  return { emu, sourceId };
}

/** Lets a run parked between write attempts go now instead of after its backoff. */
export async function hurryParkedRuns(t: TestTripline): Promise<void> {
  await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'run.execute' and state = 'created' and start_after > now()`);
}
