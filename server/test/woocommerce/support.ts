import { json } from '../support/engine.ts';
import { startWooEmulator, type WooEmulator } from '../support/woocommerce-emulator.ts';
import type { TestTripline } from '../support/tripline.ts';

/** A loopback WooCommerce store, connected to Tripline the way a person does it (store URL and read/write keys). */
export async function connectedStore(t: TestTripline): Promise<{ emu: WooEmulator; sourceId: string }> {
  const emu = await startWooEmulator();
  const res = await t.api('/api/v1/sources', { method: 'POST', json: { kind: 'woocommerce', name: 'Emulated store', storeUrl: emu.url, ...emu.addKey('read_write') } });
  if (res.status !== 201) throw new Error(`connecting the store answered ${res.status}: ${await res.text()}`);
  return { emu, sourceId: (await json(res)).id };
}

/** Lets a run parked between write attempts go now instead of after its backoff. */
export async function hurryParkedRuns(t: TestTripline): Promise<void> {
  await t.ctx.pool.query(`update pgboss.job set start_after = now() where name = 'run.execute' and state = 'created' and start_after > now()`);
}
