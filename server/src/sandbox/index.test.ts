import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox, runCode } from './index.ts';

afterAll(closeSandbox);

describe('the code sandbox threads', () => {
  it('runs code in a worker thread and answers its value', async () => {
    expect(await runCode('return input.a + 1;', { a: 41 })).toEqual({ ok: true, value: 42 });
  });

  it('kills a thread stuck inside one slow built-in, and the next call still works', async () => {
    // String building inside QuickJS that the interrupt handler cannot break into: only the
    // hard deadline around the thread ends it, and the engine's event loop stays free meanwhile.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const stuck = await runCode("const p = []; for (let i = 0; i < 1e6; i++) p.push('x'.repeat(1024 * 1024) + i);", {}, { timeoutMs: 50, memoryBytes: 32 * 1024 * 1024 });
    clearInterval(ticker);
    expect(stuck).toMatchObject({ ok: false, reason: 'timeout' });
    expect(ticks).toBeGreaterThan(0);
    expect(await runCode('return "still here";', {})).toEqual({ ok: true, value: 'still here' });
  }, 15_000);

  it('runs calls side by side, each with its own answer', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => runCode('return input.n * 10;', { n })));
    expect(results.map((r) => (r.ok ? r.value : r.error))).toEqual([10, 20, 30]);
  });
});
