import fc from 'fast-check';
import jsonLogic from 'json-logic-js';
import { describe, expect, it } from 'vitest';
import { ALLOWED_OPERATORS, checkRule } from './rule.ts';

/**
 * The json-logic checker is the only thing between a rule someone saved and json-logic-js,
 * whose `var` walks the prototype chain. Property: whatever the rule, when checkRule finds
 * no problem, evaluating it neither calls into a function (TypeError) nor hands one back.
 */
const UNSAFE_OPS = ['method', '__proto__', 'constructor', 'prototype', 'log', 'eval', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];
const SEGMENTS = ['data', 'x', 'items', '0', '__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'length', 'map', 'call', 'apply', 'bind', 'name'];

const path = fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 5 }), fc.boolean(), fc.constant(null), path);

const { rule } = fc.letrec<{ rule: unknown; args: unknown }>((tie) => ({
  rule: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.record({ var: fc.oneof(path, fc.array(path, { maxLength: 2 }), fc.tuple(path, scalar)) }).map((r) => r as unknown),
    fc.record({ missing: fc.array(path, { maxLength: 3 }) }).map((r) => r as unknown),
    fc
      .tuple(fc.constantFrom(...ALLOWED_OPERATORS, ...UNSAFE_OPS), tie('args'))
      .map(([op, args]) => JSON.parse(`{${JSON.stringify(op)}:${JSON.stringify(args ?? null)}}`) as unknown),
    fc.array(tie('rule'), { maxLength: 3 }),
  ),
  args: fc.oneof(tie('rule'), fc.array(tie('rule'), { maxLength: 3 })),
}));

function evaluateSafely(r: unknown, data: unknown): { threw?: unknown; value?: unknown } {
  try {
    return { value: jsonLogic.apply(r as jsonLogic.RulesLogic, data) };
  } catch (error) {
    return { threw: error };
  }
}

describe('checkRule (property)', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.oneof(rule, fc.jsonValue()), (r) => {
        expect(Array.isArray(checkRule(r))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('a rule it accepts never reaches a function or an unknown operator', () => {
    fc.assert(
      fc.property(rule, (r) => {
        if (checkRule(r).length > 0) return;
        for (const data of [{}, { data: { x: { y: {} }, items: { 0: {} } } }]) {
          const { threw, value } = evaluateSafely(r, data);
          expect(typeof value).not.toBe('function');
          if (threw) {
            // json-logic-js may trip over odd argument shapes ({"missing_some": []} reads
            // undefined[0]); it must never be by calling something or an unknown operator.
            expect(String(threw)).not.toMatch(/is not a function|is not a constructor|Unrecognized operation/);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('event data can never act as logic: missing / missing_some take literal paths only', () => {
    const rule = { missing_some: [1, { var: 'data.p' }] };
    expect(checkRule(rule)).toEqual([{ path: ['missing_some'], message: 'missing_some takes literal paths, e.g. {"missing_some": [1, ["data.email", "data.phone"]]}' }]);
    // What it would have done: the event's own field evaluated as a rule, reaching Function.
    const value = jsonLogic.apply(rule as never, { data: { p: { var: 'constructor.constructor' } } }) as unknown[];
    expect(value[0]).toBe(Function);
    expect(checkRule({ missing: { var: 'data.p' } })).toHaveLength(1);
    expect(checkRule({ missing: ['data.a', 'data.b'] })).toEqual([]);
    expect(checkRule({ missing_some: [1, ['data.a', 'data.b']] })).toEqual([]);
  });

  it('refuses every unsafe operator and prototype path wherever it is nested', () => {
    const unsafe = fc.oneof(
      fc.constantFrom(...UNSAFE_OPS.filter((op) => !['toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'].includes(op))).map((op) => JSON.parse(`{${JSON.stringify(op)}:[1]}`) as unknown),
      fc.constantFrom('__proto__', 'constructor.constructor', 'data.__proto__.x', 'prototype').map((p) => ({ var: p }) as unknown),
    );
    const wrap = (inner: unknown, depth: number[]) =>
      depth.reduce<unknown>((acc, d) => (d % 3 === 0 ? { and: [true, acc] } : d % 3 === 1 ? [acc] : { if: [acc, 1, 2] }), inner);
    fc.assert(
      fc.property(unsafe, fc.array(fc.nat(2), { maxLength: 6 }), (inner, depth) => {
        expect(checkRule(wrap(inner, depth)).length).toBeGreaterThan(0);
      }),
    );
  });
});
