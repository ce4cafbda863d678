import { parentPort } from 'node:worker_threads';
import { runSandboxed, type SandboxLimits } from './quickjs.ts';

/** Entry of a sandbox worker thread: one request at a time, answered by id. */
export interface SandboxRequest {
  id: number;
  source: string;
  input: unknown;
  limits: SandboxLimits;
}

parentPort!.on('message', async (req: SandboxRequest) => {
  const result = await runSandboxed(req.source, req.input, req.limits);
  parentPort!.postMessage({ id: req.id, result });
});
