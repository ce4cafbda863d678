import type { Stats, StatsWindow } from '@tripline/shared';
import { lazy, Suspense, useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorBanner, LiveDot, Loading, PageHeader, useLiveRefresh, useQuery } from '../ui/index.ts';

// The charts library is most of this page's weight: it loads after the figures.
const DashboardCharts = lazy(() => import('./dashboard-charts.tsx').then((m) => ({ default: m.DashboardCharts })));

export function DashboardPage() {
  const [window, setWindow] = useState<StatsWindow>('1h');
  const stats = useQuery<Stats>(`/stats?window=${window}`);
  // Refresh the figures when something happens, at most every few seconds (the stream coalesces).
  const live = useLiveRefresh(['run', 'delivery', 'event'], () => void stats.reload(), { minIntervalMs: 3000 });
  const s = stats.data;

  return (
    <div className="page">
      <PageHeader
        title="Dashboard"
        subtitle="What Tripline received, ran and delivered."
        actions={
          <>
            <LiveDot state={live} />
            <div className="tabs" role="group" aria-label="Time window">
              {(['1h', '24h', '7d'] as const).map((w) => (
                <button key={w} type="button" aria-pressed={w === window} onClick={() => setWindow(w)}>
                  {w}
                </button>
              ))}
            </div>
          </>
        }
      />
      <ErrorBanner error={stats.error} action="Loading the dashboard" />
      {stats.loading && !s && <Loading />}
      {s && (
        <>
          <div className="grid-cards">
            <Stat label={`Events (${window})`} value={s.totals.events} to="/events" />
            <Stat label="Runs succeeded" value={s.totals.runsSucceeded} to="/runs?status=succeeded" />
            <Stat label="Runs failed" value={s.totals.runsFailed} bad={s.totals.runsFailed > 0} to="/runs?status=failed" />
            <Stat label="Runs waiting" value={s.totals.runsWaiting} to="/runs?status=waiting" />
            <Stat label="Deliveries failing" value={s.totals.deliveriesFailing} bad={s.totals.deliveriesFailing > 0} to="/deliveries?status=failing" />
            <Stat label="Endpoints disabled" value={`${s.totals.endpointsDisabled} / ${s.totals.endpointsTotal}`} bad={s.totals.endpointsDisabled > 0} to="/endpoints" />
          </div>
          {s.totals.events === 0 && s.totals.endpointsTotal === 0 && (
            <EmptyState title="Nothing has happened yet">
              Send events with <code>POST /api/v1/events</code>, or switch on the <Link to="/settings">store simulator</Link> to watch a
              pretend shop at work. Then <Link to="/inbox">create a test inbox</Link> to see signed webhooks arrive, and build a
              workflow on the <Link to="/workflows/new">canvas</Link>.
            </EmptyState>
          )}
          <Suspense fallback={<Loading what="Loading the charts" />}>
            <DashboardCharts stats={s} window={window} />
          </Suspense>
        </>
      )}
    </div>
  );
}

function Stat({ label, value, bad, to }: { label: string; value: number | string; bad?: boolean; to: string }) {
  return (
    <Link to={to} className={`stat${bad ? ' bad' : ''}`} style={{ textDecoration: 'none', color: 'inherit' }}>
      <div className="value">{value}</div>
      <div className="label">{label}</div>
    </Link>
  );
}
