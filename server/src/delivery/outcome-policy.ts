import type { Config } from '../config.ts';
import type { AttemptResult } from './attempt.ts';
import type { ClaimedDelivery, Outcome } from '../db/deliveries.ts';

/**
 * Retry policy: what an attempt (or the lack of one) means for a claimed delivery: done,
 * due again after the next step of the retry schedule, failed for good, or parked with
 * its endpoint disabled. Pure; the worker writes what it decides.
 */

/** A claimed delivery once its fate is known: sent (with what came back), throttled, or its endpoint disabled. */
export type Ready =
  | { kind: 'sent'; d: ClaimedDelivery; result: AttemptResult; slot: boolean }
  | { kind: 'throttled'; d: ClaimedDelivery; retryInMs: number }
  | { kind: 'disabled'; d: ClaimedDelivery };

/** The outcome to write, and why the endpoint must be disabled, if it must. */
export interface Decision {
  outcome: Outcome;
  disable?: string;
}

export function decideOutcome(item: Ready, config: Pick<Config, 'endpointFailureWindowMs' | 'retryScheduleMs'>): Decision {
  const base = { id: item.d.id, token: item.d.lease_token, nextAttemptAt: null, statusCode: null, error: null, parkReason: null };
  if (item.kind === 'disabled') return { outcome: { ...base, status: 'parked', attempted: false, parkReason: 'the endpoint is disabled' } };
  if (item.kind === 'throttled') return { outcome: { ...base, status: 'pending', attempted: false, nextAttemptAt: new Date(Date.now() + item.retryInMs) } };
  const { result, d } = item;
  const sent = { ...base, attempted: true, statusCode: result.statusCode, error: result.error };
  if (result.succeeded) return { outcome: { ...sent, status: 'succeeded' } };
  if (result.statusCode === 410) {
    return { outcome: { ...sent, status: 'parked', parkReason: 'the endpoint was disabled: 410 Gone' }, disable: 'the receiver answered 410 Gone' };
  }
  if (d.failing_expired && d.failing_since) {
    const window = formatWindow(config.endpointFailureWindowMs);
    return {
      outcome: { ...sent, status: 'parked', parkReason: 'the endpoint was disabled after failing too long' },
      disable: `every attempt has failed since ${d.failing_since.toISOString()}, longer than the ${window} failure window`,
    };
  }
  const schedule = config.retryScheduleMs;
  const attemptsSinceStart = d.attempt_count - d.retry_from;
  if (attemptsSinceStart <= schedule.length) {
    return { outcome: { ...sent, status: 'pending', nextAttemptAt: new Date(Date.now() + withJitter(schedule[attemptsSinceStart - 1]!)) } };
  }
  return { outcome: { ...sent, status: 'failed' } };
}

/** ±10 % so retries of many deliveries that failed together do not arrive together. */
export function withJitter(ms: number): number {
  return Math.round(ms * (0.9 + Math.random() * 0.2));
}

function formatWindow(ms: number): string {
  if (ms % 864e5 === 0) return `${ms / 864e5}-day`;
  if (ms % 36e5 === 0) return `${ms / 36e5}-hour`;
  if (ms % 6e4 === 0) return `${ms / 6e4}-minute`;
  return `${ms / 1000}-second`;
}
