import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nodeVerifySample } from './node-verify.ts';

describe('the one Node verification sample', () => {
  it('is quoted word for word in docs/receiving-webhooks.md, with the same install line', () => {
    const doc = readFileSync(new URL('../../../docs/receiving-webhooks.md', import.meta.url), 'utf8');
    expect(doc).toContain('```js\n' + nodeVerifySample.code + '```');
    expect(doc).toContain(nodeVerifySample.install);
  });
  it('names its path, port and install line in its own code', () => {
    expect(nodeVerifySample.code).toContain(`app.post('${nodeVerifySample.path}'`);
    expect(nodeVerifySample.code).toContain(`process.env.PORT ?? ${nodeVerifySample.port}`);
    expect(nodeVerifySample.code).toContain(`// ${nodeVerifySample.install}`);
    expect(nodeVerifySample.code.startsWith(`// ${nodeVerifySample.fileName}`)).toBe(true);
  });
});
