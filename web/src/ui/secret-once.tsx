import type { ReactNode } from 'react';
import { CopyButton } from './copy-button.tsx';

/**
 * A secret the server shows this once (an API key, a signing secret, a portal link): the
 * value selectable in one click, a Copy button, what to know about it, and "Done" to put it
 * away. Every page that receives a secret shows it with this, so each behaves the same.
 */
export function SecretOnce({ title, value, testId, copyLabel = 'Copy', children, onDone }: { title: string; value: string; testId: string; copyLabel?: string; children?: ReactNode; onDone?: () => void }) {
  return (
    <section className="secret-once" role="status" aria-label={title}>
      <strong>{title}</strong>, shown <strong>only this once</strong>: copy it now, it cannot be read again.
      {children && <div className="small">{children}</div>}
      <div className="secret-row">
        <code data-testid={testId} className="wrap">
          {value}
        </code>
        <CopyButton value={value} label={copyLabel} />
        {onDone && (
          <button type="button" onClick={onDone}>
            Done
          </button>
        )}
      </div>
    </section>
  );
}
