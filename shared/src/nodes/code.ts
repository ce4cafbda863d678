import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { saveAsField } from './fields.ts';

export const CODE_DEFAULTS = { timeoutMs: 50, memoryMb: 32 } as const;

export const codeNode = defineNode({
  type: 'code',
  displayName: 'Run code',
  category: 'data',
  description: 'Runs a JavaScript function body in a sandbox (no network, files or host objects) with `input` = {event, vars, customer}; its JSON result is kept at vars.<saveAs>.',
  configSchema: z.object({
    source: z.string().min(1, 'write the function body, e.g. return input.event.data.total * 2;').max(20_000).meta({ title: 'Code', format: 'code' }),
    saveAs: saveAsField,
    timeoutMs: z.number().int().min(1).max(1000).optional().meta({ title: 'CPU limit (ms)', description: `default ${CODE_DEFAULTS.timeoutMs}` }),
    memoryMb: z.number().int().min(1).max(64).optional().meta({ title: 'Memory limit (MB)', description: `default ${CODE_DEFAULTS.memoryMb}` }),
  }),
  defaults: { source: 'return { total: input.event.data.total };', saveAs: 'result' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary: (config) => `code → vars.${text(config.saveAs)}`,
});
