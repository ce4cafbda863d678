import fs from 'node:fs';
import { createRequire } from 'node:module';
import { newQuickJSWASMModuleFromVariant, newVariant, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';

/**
 * Runs untrusted JavaScript (a workflow's `code` step) in QuickJS compiled to WebAssembly.
 * node:vm shares the host's heap and objects and is no security boundary; a QuickJS
 * runtime is a separate interpreter whose only way out is what we hand it, and we hand it
 * nothing: no fetch, require, process, timers or console, just the input as JSON. Each call
 * gets a fresh runtime, disposed afterwards.
 *
 * Memory: QuickJS's own `setMemoryLimit` does no byte accounting in the WebAssembly build
 * (it refuses one allocation larger than the limit, not many small ones), so the limit is
 * enforced one level down: the interpreter runs in a WebAssembly instance whose memory is
 * a fixed-size `WebAssembly.Memory` (its `maximum` is the interpreter's own base plus the
 * step's limit). Past it, malloc fails inside the interpreter and the script gets "out of
 * memory", whatever the allocation pattern. The compiled module is shared; an instance is
 * cheap (a few ms) and is kept for the next call with the same limit only while its memory
 * never grew past its initial size.
 *
 * CPU: the limit is the thread's CPU time (process.threadCpuUsage), not wall-clock time,
 * so a busy machine slows a script without failing it.
 */

export interface SandboxLimits {
  /** CPU time (of the thread running the script) before the script is interrupted. */
  timeoutMs: number;
  memoryBytes: number;
}

export const DEFAULT_LIMITS: SandboxLimits = { timeoutMs: 50, memoryBytes: 32 * 1024 * 1024 };

/** The largest JSON a script may return: it is stored in the run's vars. */
export const MAX_RESULT_BYTES = 1024 * 1024;

/** The interpreter's own memory (its static data, stack and first heap), on top of a step's limit. */
export const INTERPRETER_BASE_BYTES = 16 * 1024 * 1024;
const PAGE = 64 * 1024;

export type SandboxResult =
  | { ok: true; value: unknown }
  | { ok: false; error: string; reason: 'timeout' | 'memory' | 'script' | 'result' | 'busy' };

const require = createRequire(import.meta.url);
let compiled: Promise<WebAssembly.Module> | undefined;
/** The QuickJS WebAssembly, compiled once per thread; instances of it are cheap. */
function compiledModule(): Promise<WebAssembly.Module> {
  return (compiled ??= fs.promises.readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')).then((bytes) => WebAssembly.compile(bytes)));
}

interface Interpreter {
  qjs: QuickJSWASMModule;
  memory: WebAssembly.Memory;
  limitBytes: number;
  initialBytes: number;
  /** A call failed inside the WebAssembly itself (an abort): never reuse it. */
  broken: boolean;
}

let current: Interpreter | undefined;

async function newInterpreter(limitBytes: number): Promise<Interpreter> {
  const initialPages = INTERPRETER_BASE_BYTES / PAGE;
  const memory = new WebAssembly.Memory({ initial: initialPages, maximum: initialPages + Math.ceil(limitBytes / PAGE) });
  const qjs = await newQuickJSWASMModuleFromVariant(newVariant(RELEASE_SYNC, { wasmModule: await compiledModule(), wasmMemory: memory }));
  return { qjs, memory, limitBytes, initialBytes: memory.buffer.byteLength, broken: false };
}

/** The interpreter for a call with this limit: the kept one if it fits and never grew, else a new one. */
async function interpreterFor(limitBytes: number): Promise<Interpreter> {
  if (current && !current.broken && current.limitBytes === limitBytes && current.memory.buffer.byteLength === current.initialBytes) return current;
  current = await newInterpreter(limitBytes);
  return current;
}

/**
 * After a call: whether the heap grew past its initial size (or the instance broke). The
 * grown instance is dropped here; the thread host also retires the thread, so an idle
 * thread never holds a grown heap.
 */
export function releaseIfGrown(): boolean {
  if (!current) return false;
  const grew = current.broken || current.memory.buffer.byteLength > current.initialBytes;
  if (grew) current = undefined;
  return grew;
}

/**
 * Compiles the WebAssembly and runs a warm-up script once, before any step's limit
 * applies (the first evaluation of cold WebAssembly takes hundreds of ms on a busy machine;
 * the compiled code is shared by later instances).
 */
export async function warmUp(): Promise<void> {
  const interpreter = await interpreterFor(DEFAULT_LIMITS.memoryBytes);
  const ctx = interpreter.qjs.newContext();
  const warm = ctx.evalCode('JSON.stringify((function(){ let s = 0; for (let i = 0; i < 1e5; i++) s += i; return [s, String(s)]; })())');
  (warm.error ?? warm.value).dispose();
  ctx.dispose();
}

/** CPU time of the calling thread in ms (wall-clock time where Node cannot tell). */
const cpuMs: () => number =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const { user, system } = process.threadCpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

const memoryError = (limits: SandboxLimits) => `the code used more than its memory limit of ${Math.round(limits.memoryBytes / 1048576)} MB`;
const cpuError = (limits: SandboxLimits) => `the code ran longer than its CPU limit of ${limits.timeoutMs} ms and was stopped`;

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
  const interpreter = await interpreterFor(limits.memoryBytes);
  const atLimit = () => interpreter.memory.buffer.byteLength >= interpreter.initialBytes + limits.memoryBytes;
  const runtime = interpreter.qjs.newRuntime();
  // Still useful: it refuses one huge allocation before malloc even tries.
  runtime.setMemoryLimit(limits.memoryBytes);
  runtime.setMaxStackSize(512 * 1024);
  let deadline = Infinity;
  let timedOut = false;
  // The interpreter calls this every few thousand instructions; a busy loop cannot skip it
  // (a single slow built-in can: index.ts adds a hard deadline around the whole call).
  runtime.setInterruptHandler(() => (timedOut ||= cpuMs() > deadline));
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
    deadline = cpuMs() + limits.timeoutMs;
    const result = context.evalCode(program, 'code-step.js');
    if (result.error) {
      const dumped = context.dump(result.error) as { name?: string; message?: string; stack?: string } | string;
      result.error.dispose();
      const line = typeof dumped === 'string' ? undefined : sourceLine(dumped?.stack, source);
      const message = `${typeof dumped === 'string' ? dumped : `${dumped?.name ?? 'Error'}: ${dumped?.message ?? String(dumped)}`}${line ? ` (line ${line})` : ''}`;
      if (timedOut) return { ok: false, reason: 'timeout', error: cpuError(limits) };
      if (/out of memory/i.test(message) || atLimit()) return { ok: false, reason: 'memory', error: memoryError(limits) };
      return { ok: false, reason: 'script', error: message };
    }
    const text = context.getString(result.value);
    result.value.dispose();
    if (typeof text !== 'string' || text.length > MAX_RESULT_BYTES) {
      return { ok: false, reason: 'result', error: `the code returned more than ${MAX_RESULT_BYTES / 1024} KB of JSON` };
    }
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    // Out of memory deep inside the engine can abort the WebAssembly itself: that
    // instance's state is unknown from here on.
    interpreter.broken = true;
    if (timedOut) return { ok: false, reason: 'timeout', error: cpuError(limits) };
    if (atLimit()) return { ok: false, reason: 'memory', error: memoryError(limits) };
    return { ok: false, reason: 'memory', error: `the sandbox failed: ${(error as Error).message}` };
  } finally {
    try {
      context.dispose();
      runtime.dispose();
    } catch {
      interpreter.broken = true;
    }
  }
}
