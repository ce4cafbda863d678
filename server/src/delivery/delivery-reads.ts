/**
 * Moved into endpoints-store.ts (the delivery reads' SQL lives with the rest of the
 * endpoints and deliveries rows). Kept only for engine/runs/executors/webhook.ts, which
 * another branch is editing; delete this file when that import points at endpoints-store.ts.
 */
export { deliveryOutcome } from './endpoints-store.ts';
