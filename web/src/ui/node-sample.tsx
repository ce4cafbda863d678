import { nodeVerifySample } from '@tripline/shared';
import { CopyButton } from './copy-button.tsx';

/**
 * The Node verification sample, from its one source in shared/, as the event catalog and the
 * partner portal both show it: install line, the file name and why .mjs, the code to copy.
 */
export function NodeVerifySample({ codeLabel }: { codeLabel: string }) {
  const s = nodeVerifySample;
  return (
    <div className="node-sample" data-testid="node-sample">
      <pre className="json" aria-label="Node install">
        {s.install}
      </pre>
      <p className="muted small" data-testid="node-sample-note">
        {s.moduleNote} Run it with <code>{s.run}</code>; it listens on port {s.port} at <code>{s.path}</code>.
      </p>
      <div className="row" style={{ justifyContent: 'flex-end' }}>
        <CopyButton value={s.code} label="Copy code" />
      </div>
      <pre className="json" aria-label={codeLabel}>
        {s.code}
      </pre>
    </div>
  );
}
