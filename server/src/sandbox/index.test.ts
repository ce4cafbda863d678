import { afterAll, describe, expect, it } from 'vitest';
import { closeSandbox, DEFAULT_LIMITS, MAX_THREADS, runCode, sandboxStats } from './index.ts';

afterAll(closeSandbox);

describe('the code sandbox threads', () => {
  it('runs code in a worker thread and answers its value', async () => {
    expect(await runCode('return input.a + 1;', { a: 41 })).toEqual({ ok: true, value: 42 });
  }, 30_000); // a cold start: loading QuickJS in a new thread takes seconds on a loaded machine

  it('kills a thread stuck inside one slow built-in, and the next call still works', async () => {
    // A default sort of a million numbers compares them as strings inside one built-in that
    // the interrupt handler cannot break into: only the hard deadline around the thread ends
    // it, and the engine's event loop stays free meanwhile.
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    const stuck = await runCode('const a = []; for (let i = 0; i < 1e6; i++) a.push(i); a.sort(); return a.length;', {}, { timeoutMs: 1000, memoryBytes: 64 * 1024 * 1024 }, { deadlineMs: 300 });
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

describe('the sandbox pool', () => {
  it('runs at most MAX_THREADS threads however many calls come at once, queueing the rest, each answered', async () => {
    const results = await Promise.all(Array.from({ length: MAX_THREADS * 4 }, (_, n) => runCode('let s = 0; for (let i = 0; i < 1e4; i++) s += i; return input.n;', { n })));
    expect(results).toEqual(Array.from({ length: MAX_THREADS * 4 }, (_, n) => ({ ok: true, value: n })));
    expect(sandboxStats().peakThreads).toBeLessThanOrEqual(MAX_THREADS);
    expect(sandboxStats().queued).toBe(0);
  });

  it('fails a call as busy when no thread frees up within its deadline, and the queue moves on', async () => {
    const hogs = Array.from({ length: MAX_THREADS }, () => runCode('const a = []; for (let i = 0; i < 1e6; i++) a.push(i); a.sort(); return 1;', {}, { timeoutMs: 1000, memoryBytes: 32 * 1024 * 1024 }, { deadlineMs: 3000 }));
    // let the hogs take every thread before the late call asks
    while (sandboxStats().idle > 0 || sandboxStats().threads < MAX_THREADS) await new Promise((r) => setTimeout(r, 5));
    const late = await runCode('return 1;', {}, DEFAULT_LIMITS, { deadlineMs: 50 });
    expect(late).toMatchObject({ ok: false, reason: 'busy' });
    if (!late.ok) expect(late.error).toContain('the sandbox was busy');
    await Promise.all(hogs);
    expect(await runCode('return 2;', {})).toEqual({ ok: true, value: 2 });
  }, 30_000);

  it('retires a thread whose heap grew instead of keeping it idle', async () => {
    await closeSandbox();
    const grown = await runCode('const a = []; for (let i = 0; i < 40; i++) a.push(new Uint8Array(512 * 1024)); return a.length;', {}, { timeoutMs: 1000, memoryBytes: 32 * 1024 * 1024 });
    // one assertion each, with the pool's state, so a failure says what the pool looked like
    expect({ grown, pool: sandboxStats() }).toMatchObject({ grown: { ok: true, value: 40 }, pool: { threads: 0, idle: 0 } });
    const small = await runCode('return 3;', {});
    expect({ small, pool: sandboxStats() }).toMatchObject({ small: { ok: true, value: 3 }, pool: { threads: 1, idle: 1 } });
  }, 30_000); // two cold starts
});
