import { z } from 'zod';
import { defineNode, text } from './define.ts';
import { identifier, saveAsField, templateField } from './fields.ts';

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'a header name: letters, digits and -');

export const httpRequestNode = defineNode({
  type: 'http_request',
  displayName: 'HTTP request',
  category: 'data',
  description: 'Calls an HTTP API (templates in URL, headers and body) and keeps {status, headers, body} at vars.<saveAs>; `error` when it fails or answers non-2xx.',
  configSchema: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).meta({ title: 'Method' }),
    url: templateField(2000).min(1, 'enter a URL').meta({ title: 'URL', description: 'https://… ; {{templates}} allowed', format: 'template' }),
    headers: z
      .record(headerName, templateField(4000))
      .refine((h) => Object.keys(h).length <= 30, 'at most 30 headers')
      .optional()
      .meta({ title: 'Headers', description: 'name → template', format: 'template-record' }),
    body: templateField(100_000).optional().meta({ title: 'Body', description: 'a template; JSON is sent as application/json. Type {{ for the values this step can use.', format: 'template-json' }),
    credential: identifier.optional().meta({ title: 'Credential', description: 'a stored credential by name; its value is sent in the credential header', format: 'credential-name' }),
    credentialHeader: headerName.optional().meta({ title: 'Credential header', description: 'default: Authorization' }),
    saveAs: saveAsField,
    timeoutMs: z.number().int().min(100).max(30_000).optional().meta({ title: 'Timeout (ms)', description: 'default 10000' }),
    retries: z.number().int().min(0).max(5).optional().meta({ title: 'Retries', description: 'on a network error or 5xx/429 (default 2)' }),
  }),
  defaults: { method: 'GET', url: 'https://', saveAs: 'response' },
  inputs: ['in'],
  outputs: ['out', 'error'],
  summary: (config) => `${text(config.method, 'GET')} ${text(config.url)}`.slice(0, 60),
});
