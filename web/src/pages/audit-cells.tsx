import { auditChanges } from '@tripline/shared';
import { Link } from 'react-router';
import { summariseWorkflowChange, type AuditRow, type NamedEntry } from './audit-rows.ts';

/** A value short enough for a table cell; the whole of it is under "JSON". */
const show = (v: unknown) => {
  const text = v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
};

/** Where each kind of target lives in the UI. */
const TARGET_PAGES: Record<string, (id: string) => string> = {
  workflow: (id) => `/workflows/${encodeURIComponent(id)}`,
  endpoint: (id) => `/endpoints/${encodeURIComponent(id)}`,
  run: (id) => `/runs/${encodeURIComponent(id)}`,
  campaign: () => '/campaigns',
  user: () => '/users',
  api_key: () => '/api-keys',
  inbox: (id) => `/inbox?id=${encodeURIComponent(id)}`,
  setting: () => '/settings',
};

export function Target({ entry }: { entry: NamedEntry }) {
  const label = entry.targetName ?? entry.targetId;
  const page = entry.targetId ? TARGET_PAGES[entry.targetType] : undefined;
  return (
    <>
      <span className="muted small">{entry.targetType.replace('_', ' ')} </span>
      {label && page ? <Link to={page(entry.targetId!)}>{label}</Link> : label}
    </>
  );
}

export function Changes({ row }: { row: AuditRow }) {
  const summary = summariseWorkflowChange(row.before, row.after, row.changes);
  const json = (
    <details className="audit-json">
      <summary>JSON</summary>
      <pre>{JSON.stringify({ before: row.before, after: row.after }, null, 2)}</pre>
    </details>
  );
  if (summary) {
    return (
      <>
        {summary.length === 0 ? <span className="muted">no change to the steps</span> : (
          <ul className="changes">
            {summary.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        )}
        {json}
      </>
    );
  }
  const changes = auditChanges(row.before, row.after);
  if (!changes.length) return null;
  return (
    <>
      <ul className="changes">
        {changes.map((c) => (
          <li key={c.path}>
            {c.path && <strong>{c.path}: </strong>}
            {row.before !== null && row.before !== undefined && (
              <>
                <del>{show(c.before)}</del> →{' '}
              </>
            )}
            <ins>{show(c.after)}</ins>
          </li>
        ))}
      </ul>
      {changes.some((c) => typeof c.after === 'object' && c.after !== null) && json}
    </>
  );
}
