import { Fragment, type HTMLAttributes, type ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';
import { ErrorBanner } from './banners.tsx';
import { Loading } from './page.tsx';

export interface Column<T> {
  header: ReactNode;
  cell: (row: T) => ReactNode;
  className?: string;
  /** Says the rows are in this column's order (aria-sort). */
  sorted?: 'ascending' | 'descending';
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <h3>{title}</h3>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

/**
 * Every list of the console: the table, "Loading…" before the first answer, the error, and
 * an empty state that says what would fill it. `rowProps` carries a row's test id, status
 * and highlight.
 */
export function DataTable<T>({
  label,
  rows,
  columns,
  rowKey,
  rowProps,
  loading = false,
  error,
  empty,
  className,
  expanded,
}: {
  label: string;
  rows: readonly T[] | undefined;
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | undefined>;
  loading?: boolean;
  error?: { error: ApiError | undefined; action: string };
  /** Shown when the list is loaded and empty: a title, or a whole EmptyState. */
  empty: ReactNode;
  className?: string;
  /** A row's detail, shown in a full-width row under it (null: closed). */
  expanded?: (row: T) => ReactNode;
}) {
  const list = rows ?? [];
  return (
    <>
      {error && <ErrorBanner error={error.error} action={error.action} />}
      {loading && list.length === 0 && <Loading what={`Loading ${label.toLowerCase()}`} />}
      {!loading && !error?.error && rows !== undefined && list.length === 0 && (typeof empty === 'string' ? <EmptyState title={empty} /> : empty)}
      {list.length > 0 && (
        <table className={className ? `data ${className}` : 'data'} aria-label={label}>
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={i} scope="col" aria-sort={c.sorted}>
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.map((row) => {
              const detail = expanded?.(row);
              return (
                <Fragment key={rowKey(row)}>
                  <tr {...rowProps?.(row)}>
                    {columns.map((c, i) => (
                      <td key={i} className={c.className}>
                        {c.cell(row)}
                      </td>
                    ))}
                  </tr>
                  {detail && (
                    <tr>
                      <td colSpan={columns.length}>{detail}</td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

export function LoadMore({ hasMore, loading, onClick }: { hasMore: boolean; loading: boolean; onClick: () => void }) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" onClick={onClick} disabled={loading}>
        {loading ? 'Loading…' : 'Load more'}
      </button>
    </div>
  );
}
