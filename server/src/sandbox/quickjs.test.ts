import { describe, expect, it } from 'vitest';
import { runSandboxed } from './quickjs.ts';

const input = { event: { type: 'order.created', data: { total: 120, items: [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 5 }] } }, vars: { score: 7 }, customer: null };

describe('the code sandbox', () => {
  it('returns the value the function body returns, computed from input', async () => {
    const result = await runSandboxed('return { double: input.event.data.total * 2, skus: input.event.data.items.map(i => i.sku), score: input.vars.score };', input);
    expect(result).toEqual({ ok: true, value: { double: 240, skus: ['A', 'B'], score: 7 } });
  });

  it('returns null when the body returns nothing', async () => {
    expect(await runSandboxed('const x = 1;', input)).toEqual({ ok: true, value: null });
  });

  it('stops an infinite loop at the CPU limit with a clear error', async () => {
    const result = await runSandboxed('while (true) {}', input, { timeoutMs: 50, memoryBytes: 32 * 1024 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    if (!result.ok) expect(result.error).toContain('CPU limit of 50 ms');
  });

  it('stops a loop that catches the interruption and keeps going', async () => {
    const result = await runSandboxed('for (;;) { try { while (true) {} } catch (e) {} }', input, { timeoutMs: 30, memoryBytes: 32 * 1024 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('refuses a memory bomb at the memory limit', async () => {
    const result = await runSandboxed("const s = 'x'.repeat(64 * 1024 * 1024); return s.length;", input, { timeoutMs: 1000, memoryBytes: 8 * 1024 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: 'memory' });
    if (!result.ok) expect(result.error).toContain('memory limit of 8 MB');
  });

  it('refuses many small allocations past the memory limit, not only one big one', async () => {
    // 300 × 1 MB under a 32 MB limit: QuickJS's own limit does no accounting in WebAssembly
    const result = await runSandboxed('const kept = []; for (let i = 0; i < 300; i++) kept.push(new Uint8Array(1024 * 1024)); return kept.length;', input, { timeoutMs: 1000, memoryBytes: 32 * 1024 * 1024 });
    expect(result).toMatchObject({ ok: false, reason: 'memory' });
    if (!result.ok) expect(result.error).toBe('the code used more than its memory limit of 32 MB');
    const strings = await runSandboxed("const kept = []; for (let i = 0; i < 4000; i++) kept.push('x'.repeat(1024 * 1024) + i); return kept.length;", input, { timeoutMs: 1000, memoryBytes: 8 * 1024 * 1024 });
    expect(strings).toMatchObject({ ok: false, reason: 'memory' });
    // and the next call runs normally
    expect(await runSandboxed('return 1 + 1;', input)).toEqual({ ok: true, value: 2 });
  });

  it('has no network, module loader, process, timers or host objects', async () => {
    const result = await runSandboxed(
      'return [typeof fetch, typeof require, typeof process, typeof setTimeout, typeof XMLHttpRequest, typeof globalThis.Buffer, typeof console, typeof WebAssembly];',
      input,
    );
    expect(result).toEqual({ ok: true, value: Array(8).fill('undefined') });
  });

  it('reports a thrown error with its message', async () => {
    const result = await runSandboxed("throw new Error('no score for ' + input.event.type);", input);
    expect(result).toEqual({ ok: false, reason: 'script', error: 'Error: no score for order.created (line 1)' });
  });

  it('names the line of the step code where a run-time error happened', async () => {
    const result = await runSandboxed('const a = 1;\nconst missing = null;\nreturn missing.total;', input);
    expect(result).toMatchObject({ ok: false, reason: 'script' });
    if (!result.ok) expect(result.error).toMatch(/TypeError: .*null.* \(line 3\)$/);
  });

  it('reports a syntax error instead of running anything', async () => {
    const result = await runSandboxed('return (;', input);
    expect(result).toMatchObject({ ok: false, reason: 'script' });
    if (!result.ok) expect(result.error).toContain('SyntaxError');
  });

  it('cannot change the input the host passed in', async () => {
    const mine = structuredClone(input);
    await runSandboxed('input.vars.score = 1000; return 1;', mine);
    expect(mine.vars.score).toBe(7);
  });
});
