/**
 * Scenario 6: json-logic rule evaluations per second in this process (no server, no
 * database), for a single comparison, a three-way `and` and a nested rule; median of 3.
 */
import { evaluate } from '../../server/src/engine/logic.ts';
import { now } from '../lib/load.ts';
import type { BenchDeps } from '../lib/harness.ts';

export function scenarioRules({ P, report }: BenchDeps) {
  const event = { id: 'evt_1', type: 'discount.applied', subject: 'cus_42', data: { code: 'WELCOME10', customerId: 'cus_42', amount: 12.99, currency: 'EUR', tags: ['vip', 'eu'] }, vars: {}, customer: { ltv: 620, tier: 'gold', segments: ['vip'] } };
  const rules: Record<string, unknown> = {
    small: { '>': [{ var: 'data.amount' }, 5] },
    and3: { and: [{ '>': [{ var: 'data.amount' }, 5] }, { '==': [{ var: 'data.currency' }, 'EUR'] }, { in: ['vip', { var: 'customer.segments' }] }] },
    nested: { or: [{ and: [{ '>=': [{ var: 'customer.ltv' }, 500] }, { '!': { in: ['wholesale', { var: 'customer.segments' }] } }] }, { '==': [{ var: 'data.code' }, 'VIP'] }, { '<': [{ var: 'data.amount' }, 0] }] },
  };
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) {
    const samples: number[] = [];
    for (let rep = 0; rep < 3; rep++) {
      let n = 0;
      const end = now() + P.ruleS * 1000;
      while (now() < end) {
        for (let k = 0; k < 1000; k++) evaluate(rule, event);
        n += 1000;
      }
      samples.push(n / P.ruleS);
    }
    samples.sort((a, b) => a - b);
    out[name] = { rule, evaluationsPerSecondMedian: Math.round(samples[1]!) };
  }
  report({ key: 'rules', name: '6. Rule evaluation (json-logic, in process)', parameters: { secondsPerSample: P.ruleS, samples: 3 }, results: out, peakRssMb: { bench: Math.round(process.memoryUsage().rss / 2 ** 20) } });
}
