import { parentPort } from 'node:worker_threads';
import { quickjs, runSandboxed, type SandboxLimits } from './quickjs.ts';

/** Entry of a sandbox worker thread: one request at a time, answered by id. */
export interface SandboxRequest {
  id: number;
  source: string;
  input: unknown;
  limits: SandboxLimits;
}

// Compile and warm the WebAssembly before saying ready: the host's deadline for a script
// starts only then, so a slow start on a busy machine never counts against the script.
await quickjs();
parentPort!.postMessage({ ready: true });

parentPort!.on('message', async (req: SandboxRequest) => {
  const result = await runSandboxed(req.source, req.input, req.limits);
  parentPort!.postMessage({ id: req.id, result });
});
