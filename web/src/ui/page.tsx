import type { Permission } from '@tripline/shared';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useSession } from '../auth/session.tsx';
import { ErrorBanner } from './banners.tsx';
import { rolesPhrase, useAskAnAdmin } from './permission-note.tsx';
import type { Query } from './use-query.ts';
import './kit.css';

export function PageHeader({ title, subtitle, actions }: { title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p className="muted" aria-busy="true" role="status">
      {what}…
    </p>
  );
}

export function NoAccess({ what, permission }: { what: string; permission?: Permission }) {
  const ask = useAskAnAdmin();
  return (
    <div className="page">
      <p role="alert">
        Your role does not give access to {what}
        {permission ? `: it needs ${rolesPhrase(permission)}` : ''}. {ask.charAt(0).toUpperCase() + ask.slice(1)} if you need it.
      </p>
    </div>
  );
}

/**
 * A page of the console: its header, and its body only for people whose role allows it
 * (`permission`); everyone else reads why not.
 */
export function Page({ permission, what, className, children, ...header }: { permission?: Permission; what?: string; className?: string; children: ReactNode } & Parameters<typeof PageHeader>[0]) {
  const { can } = useSession();
  if (permission && !can(permission)) return <NoAccess what={what ?? String(header.title)} permission={permission} />;
  return (
    <div className={className ? `page ${className}` : 'page'}>
      <PageHeader {...header} />
      {children}
    </div>
  );
}

/**
 * What a query shows: "Loading…" the first time, its error (with `action`), then `children`
 * with the data. A reload keeps the data on screen.
 */
export function QueryView<T>({ query, action, children }: { query: Query<T>; action: string; children: (data: T) => ReactNode }) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.loading) return <Loading what={action} />;
  return <ErrorBanner error={query.error} action={action} />;
}

/**
 * A detail page whose record is not there yet: "Loading…" the first time, else why it could
 * not be loaded and the way back to its list. `what` reads "the run", "the endpoint".
 */
export function DetailPlaceholder({ query, title, what, back }: { query: Query<unknown>; title: string; what: string; back: { to: string; label: string } }) {
  if (query.loading) {
    return (
      <div className="page">
        <Loading what={`Loading ${what}`} />
      </div>
    );
  }
  return (
    <div className="page">
      <PageHeader title={title} />
      <ErrorBanner error={query.error} action={`Loading ${what}`} />
      <Link to={back.to}>{back.label}</Link>
    </div>
  );
}
