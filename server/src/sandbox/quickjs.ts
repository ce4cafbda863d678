import { getQuickJS, type QuickJSWASMModule } from 'quickjs-emscripten';

/**
 * Runs untrusted JavaScript (a workflow's `code` step) in QuickJS compiled to WebAssembly.
 * node:vm shares the host's heap and objects and is no security boundary; a QuickJS
 * runtime is a separate interpreter whose only way out is what we hand it, and we hand it
 * nothing: no fetch, require, process, timers or console, just the input as JSON. Each call
 * gets a fresh runtime (own heap, own memory limit), disposed afterwards.
 */

export interface SandboxLimits {
  /** Interpreter time before the script is interrupted. */
  timeoutMs: number;
  memoryBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 50, memoryBytes: 32 * 1024 * 1024 };

/** The largest JSON a script may return: it is stored in the run's vars. */
export const MAX_RESULT_BYTES = 1024 * 1024;

export type SandboxResult =
  | { ok: true; value: unknown }
  | { ok: false; error: string; reason: 'timeout' | 'memory' | 'script' | 'result' };

let module: Promise<QuickJSWASMModule> | undefined;
/**
 * The WebAssembly module is compiled once per thread; runtimes are cheap. The first
 * evaluation runs cold WebAssembly (hundreds of ms here), so a warm-up script runs once
 * before any step's time limit applies.
 */
export function quickjs(): Promise<QuickJSWASMModule> {
  return (module ??= getQuickJS().then((qjs) => {
    const ctx = qjs.newContext();
    const warm = ctx.evalCode('JSON.stringify((function(){ let s = 0; for (let i = 0; i < 1e5; i++) s += i; return [s, String(s)]; })())');
    (warm.error ?? warm.value).dispose();
    ctx.dispose();
    return qjs;
  }));
}

/** Lines of the program above the step's code (see `program` below). */
const PROGRAM_LINES_BEFORE = 2;

/**
 * The line of the step's code where an error was thrown, from the innermost frame of the
 * stack that lies inside it, as the person numbered it (the editor shows the same numbers).
 */
export function sourceLine(stack: string | undefined, source: string): number | undefined {
  const lines = source.split('\n').length;
  for (const m of (stack ?? '').matchAll(/code-step\.js:(\d+)/g)) {
    const line = Number(m[1]) - PROGRAM_LINES_BEFORE;
    if (line >= 1 && line <= lines) return line;
  }
  return undefined;
}

/**
 * Runs `source` as the body of `function (input) { … }` and returns its result as JSON
 * (undefined becomes null). Never throws for anything the script does.
 */
export async function runSandboxed(source: string, input: unknown, limits: SandboxLimits = DEFAULT_LIMITS): Promise<SandboxResult> {
  const qjs = await quickjs();
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(512 * 1024);
  let deadline = Infinity;
  let timedOut = false;
  // The interpreter calls this every few thousand instructions; a busy loop cannot skip it
  // (a single slow built-in can: thread.ts adds a hard deadline around the whole call).
  runtime.setInterruptHandler(() => (timedOut ||= performance.now() > deadline));
  const context = runtime.newContext();
  try {
    const inputJson = context.newString(JSON.stringify(input ?? null));
    context.setProp(context.global, '__input', inputJson);
    inputJson.dispose();
    const program = `"use strict";
const __result = (function (input) {
${source}
})(JSON.parse(globalThis.__input));
__result === undefined ? 'null' : JSON.stringify(__result);`;
    deadline = performance.now() + limits.timeoutMs;
    const result = context.evalCode(program, 'code-step.js');
    if (result.error) {
      const dumped = context.dump(result.error) as { name?: string; message?: string; stack?: string } | string;
      result.error.dispose();
      const line = typeof dumped === 'string' ? undefined : sourceLine(dumped?.stack, source);
      const message = `${typeof dumped === 'string' ? dumped : `${dumped?.name ?? 'Error'}: ${dumped?.message ?? String(dumped)}`}${line ? ` (line ${line})` : ''}`;
      if (timedOut) return { ok: false, reason: 'timeout', error: `the code ran longer than its CPU limit of ${limits.timeoutMs} ms and was stopped` };
      if (/out of memory/i.test(message)) return { ok: false, reason: 'memory', error: `the code used more than its memory limit of ${Math.round(limits.memoryBytes / 1048576)} MB` };
      return { ok: false, reason: 'script', error: message };
    }
    const text = context.getString(result.value);
    result.value.dispose();
    if (typeof text !== 'string' || text.length > MAX_RESULT_BYTES) {
      return { ok: false, reason: 'result', error: `the code returned more than ${MAX_RESULT_BYTES / 1024} KB of JSON` };
    }
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // Out-of-memory inside the engine can surface as a host-side exception.
    if (timedOut) return { ok: false, reason: 'timeout', error: `the code ran longer than its CPU limit of ${limits.timeoutMs} ms and was stopped` };
    return { ok: false, reason: 'memory', error: `the sandbox failed: ${(error as Error).message}` };
  } finally {
    context.dispose();
    runtime.dispose();
  }
}
