import { useMemo, useState } from 'react';
import { apiUrl, query } from '../api/client.ts';
import { DataTable, Field, LoadMore, Options, Page, Time, localToIso, useQuery, usePagedList, type Column } from '../ui/index.ts';
import { Changes, Target } from './audit-cells.tsx';
import { foldAutosaves, type AuditRow, type NamedEntry } from './audit-rows.ts';

interface Filters {
  actor: string;
  action: string;
  targetType: string;
  targetId: string;
  since: string;
  until: string;
}
const noFilters: Filters = { actor: '', action: '', targetType: '', targetId: '', since: '', until: '' };

/** The API's query: trimmed text, and datetime-local values (local time) as ISO-8601 with an offset. */
function toQuery(f: Filters) {
  return { actor: f.actor.trim(), action: f.action.trim(), targetType: f.targetType.trim(), targetId: f.targetId.trim(), since: localToIso(f.since), until: localToIso(f.until) };
}

export function AuditPage() {
  return (
    <Page title="Audit log" what="the audit log" permission="audit:read">
      <AuditLog />
    </Page>
  );
}

function AuditLog() {
  const [applied, setApplied] = useState<Filters>(noFilters);
  const entries = usePagedList<NamedEntry>(`/audit${query({ ...toQuery(applied), limit: 50 })}`);
  const rows = useMemo(() => foldAutosaves(entries.items), [entries.items]);
  const columns: Column<AuditRow>[] = [
    {
      header: 'Time',
      cell: (r) => (
        <>
          <Time at={r.entry.at} />
          {r.count > 1 && r.since && (
            <div className="muted small">
              from {new Date(r.since).toLocaleTimeString()} · {r.count} autosaves
            </div>
          )}
        </>
      ),
    },
    { header: 'Actor', className: 'audit-actor', cell: (r) => r.entry.actor },
    { header: 'Action', cell: (r) => <code>{r.count > 1 ? 'editing session' : r.entry.action}</code> },
    { header: 'Target', className: 'audit-target', cell: (r) => <Target entry={r.entry} /> },
    { header: 'Changes', className: 'audit-changes', cell: (r) => <Changes row={r} /> },
    { header: 'IP', cell: (r) => r.entry.ip },
  ];
  return (
    <>
      <AuditFilters applied={applied} onApply={setApplied} />
      <DataTable
        label="Audit entries, newest first"
        className="audit-table"
        rows={entries.loading ? undefined : rows}
        columns={columns}
        rowKey={(r) => r.entry.id}
        rowProps={() => ({ 'data-testid': 'audit-row' })}
        loading={entries.loading}
        error={{ error: entries.error, action: 'Loading the audit log' }}
        empty="No entries match"
      />
      <LoadMore hasMore={entries.hasMore} loading={entries.loadingMore} onClick={() => void entries.loadMore()} />
    </>
  );
}

/** The filters are edited, then applied with "Filter" (one query, not one per keystroke). */
function AuditFilters({ applied, onApply }: { applied: Filters; onApply: (f: Filters) => void }) {
  const [draft, setDraft] = useState<Filters>(noFilters);
  const actions = useQuery<{ data: string[] }>('/audit/actions');
  const input = (key: keyof Filters, label: string, type = 'text') => (
    <Field label={label} id={`audit-${key}`}>
      <input type={type} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
    </Field>
  );
  return (
    <form
      className="inline-form"
      aria-label="Filter the audit log"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(draft);
      }}
    >
      {input('actor', 'Actor')}
      <Field label="Action" id="audit-action">
        <select value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value })}>
          <Options values={actions.data?.data ?? []} any="Any action" />
        </select>
      </Field>
      {input('targetType', 'Target type')}
      {input('targetId', 'Target id')}
      {input('since', 'From', 'datetime-local')}
      {input('until', 'To', 'datetime-local')}
      <button type="submit" className="primary">
        Filter
      </button>
      <button
        type="button"
        onClick={() => {
          setDraft(noFilters);
          onApply(noFilters);
        }}
      >
        Clear
      </button>
      <a className="button" href={apiUrl(`/audit.csv${query(toQuery(applied))}`)} download>
        Export CSV
      </a>
    </form>
  );
}
