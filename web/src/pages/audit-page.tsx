import { auditChanges } from '@tripline/shared';
import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, apiUrl, query } from '../api/client.ts';
import { useSession } from '../auth/session.tsx';
import { foldAutosaves, summariseWorkflowChange, type AuditRow, type NamedEntry } from './audit-rows.ts';
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
  const [entries, setEntries] = useState<NamedEntry[] | null>(null);
  const [actions, setActions] = useState<string[]>([]);
  const rows = useMemo(() => (entries ? foldAutosaves(entries) : null), [entries]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async (filters: Filters, cursor?: string) => {
    setError(null);
    try {
      const page = await api.get<{ data: NamedEntry[]; nextCursor: string | null }>(`/audit${query({ ...toQuery(filters), cursor, limit: 50 })}`);
      setEntries((prev) => (cursor && prev ? [...prev, ...page.data] : page.data));
      setNext(page.nextCursor);
    } catch (err) {
      setError(message(err));
    }
  }, []);

  useEffect(() => {
    if (allowed) void load(applied);
  }, [allowed, applied, load]);
  useEffect(() => {
    if (allowed) api.get<{ data: string[] }>('/audit/actions').then((r) => setActions(r.data), () => setActions([]));
  }, [allowed]);

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
        <div className="field">
          <label htmlFor="audit-action">Action</label>
          <select id="audit-action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
            <option value="">Any action</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
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
          {rows?.map((r) => (
            <tr key={r.entry.id} data-testid="audit-row">
              <td>
                <time dateTime={r.entry.at}>{new Date(r.entry.at).toLocaleString()}</time>
                {r.count > 1 && r.since && (
                  <div className="muted small">
                    from {new Date(r.since).toLocaleTimeString()} · {r.count} autosaves
                  </div>
                )}
              </td>
              <td className="audit-actor">{r.entry.actor}</td>
              <td>
                <code>{r.count > 1 ? 'editing session' : r.entry.action}</code>
              </td>
              <td className="audit-target">
                <Target entry={r.entry} />
              </td>
              <td className="audit-changes">
                <Changes row={r} />
              </td>
              <td>{r.entry.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows?.length === 0 && <p>No entries match.</p>}
      {next && (
        <button type="button" onClick={() => void load(applied, next)}>
          Load more
        </button>
      )}
    </div>
  );
}

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

function Target({ entry }: { entry: NamedEntry }) {
  const label = entry.targetName ?? entry.targetId;
  const page = entry.targetId ? TARGET_PAGES[entry.targetType] : undefined;
  return (
    <>
      <span className="muted small">{entry.targetType.replace('_', ' ')} </span>
      {label && page ? <Link to={page(entry.targetId!)}>{label}</Link> : label}
    </>
  );
}

function Changes({ row }: { row: AuditRow }) {
  const summary = summariseWorkflowChange(row.before, row.after);
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
