import { auditChanges, type AuditEntry } from '@tripline/shared';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { api, apiUrl, query } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { message, NoAccess } from './users-page.tsx';

interface Filters {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  since: string;
  until: string;
}
const noFilters: Filters = { actor: '', action: '', targetType: '', targetId: '', since: '', until: '' };

/** datetime-local values are local time; the API wants ISO-8601 with an offset. */
function toQuery(f: Filters) {
  const iso = (v: string) => (v ? new Date(v).toISOString() : undefined);
  return { actor: f.actor.trim(), action: f.action.trim(), targetType: f.targetType.trim(), targetId: f.targetId.trim(), since: iso(f.since), until: iso(f.until) };
}

export function AuditPage() {
  const { can } = useSession();
  const allowed = can('audit:read');
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [applied, setApplied] = useState<Filters>(noFilters);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (filters: Filters, cursor?: string) => {
    setError(null);
    try {
      const page = await api.get<{ data: AuditEntry[]; nextCursor: string | null }>(`/audit${query({ ...toQuery(filters), cursor, limit: 50 })}`);
      setEntries((prev) => (cursor && prev ? [...prev, ...page.data] : page.data));
      setNext(page.nextCursor);
    } catch (err) {
      setError(message(err));
    }
  }, []);

  useEffect(() => {
    if (allowed) void load(applied);
  }, [allowed, applied, load]);

  if (!allowed) return <NoAccess what="the audit log" />;

  const field = (key: keyof Filters, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`audit-${key}`}>{label}</label>
      <input id={`audit-${key}`} type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </div>
  );

  return (
    <div className="page">
      <h1>Audit log</h1>
      <form
        className="inline-form"
        aria-label="Filter the audit log"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          setApplied(draft);
        }}
      >
        {field('actor', 'Actor')}
        {field('action', 'Action')}
        {field('targetType', 'Target type')}
        {field('targetId', 'Target id')}
        {field('since', 'From', 'datetime-local')}
        {field('until', 'To', 'datetime-local')}
        <button type="submit" className="primary">
          Filter
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(noFilters);
            setApplied(noFilters);
          }}
        >
          Clear
        </button>
        <a className="button" href={apiUrl(`/audit.csv${query(toQuery(applied))}`)} download>
          Export CSV
        </a>
      </form>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <table className="data-table audit-table">
        <caption className="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Changes</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {entries?.map((e) => (
            <tr key={e.id} data-testid="audit-row">
              <td>
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </td>
              <td>{e.actor}</td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>
                {e.targetType}
                {e.targetId && <span className="muted"> {e.targetId}</span>}
              </td>
              <td>
                <Changes entry={e} />
              </td>
              <td>{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {entries?.length === 0 && <p>No entries match.</p>}
      {next && (
        <button type="button" onClick={() => void load(applied, next)}>
          Load more
        </button>
      )}
    </div>
  );
}

const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

function Changes({ entry }: { entry: AuditEntry }) {
  const changes = auditChanges(entry.before, entry.after);
  if (!changes.length) return null;
  return (
    <ul className="changes">
      {changes.map((c) => (
        <li key={c.path}>
          {c.path && <strong>{c.path}: </strong>}
          {entry.before !== null && entry.before !== undefined && (
            <>
              <del>{show(c.before)}</del> →{' '}
            </>
          )}
          <ins>{show(c.after)}</ins>
        </li>
      ))}
    </ul>
  );
}
