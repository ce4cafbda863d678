import crypto from 'node:crypto';
import type { SourceRow } from '../db/sources.ts';

/** Where WooCommerce delivers a source's webhooks, under the server's base URL. */
export function deliveryPathOf(sourceId: string, kind = 'woocommerce'): string {
  return `/api/v1/ingest/${kind}/${sourceId}`;
}

export function toSource(row: SourceRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    deliveryPath: deliveryPathOf(row.id, row.kind),
    createdAt: row.created_at.toISOString(),
    lastReceivedAt: row.last_received_at ? row.last_received_at.toISOString() : null,
    storeUrl: row.store_url ?? null,
  };
}

export function newSourceId(): string {
  return `src_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

/** WooCommerce uses the secret as a plain HMAC key: any string will do; this one is 192 random bits. */
export function newSourceSecret(): string {
  return crypto.randomBytes(24).toString('base64url');
}
