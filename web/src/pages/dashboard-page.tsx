import type { Stats, StatsWindow } from '@tripline/shared';
import { useState } from 'react';
import { Link } from 'react-router';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useApi, useLiveRefresh } from '../console/use-api.ts';
import { EmptyState, ErrorBanner, LiveDot, Loading, PageHeader } from '../console/ui.tsx';

function tick(at: string, window: StatsWindow) {
  const d = new Date(at);
  return window === '7d' ? d.toLocaleDateString(undefined, { weekday: 'short', hour: '2-digit' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function DashboardPage() {
  const [window, setWindow] = useState<StatsWindow>('1h');
  const stats = useApi<Stats>(`/stats?window=${window}`);
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
            <Stat label="Deliveries failing" value={s.totals.deliveriesFailing} bad={s.totals.deliveriesFailing > 0} to="/endpoints" />
            <Stat label="Endpoints disabled" value={`${s.totals.endpointsDisabled} / ${s.totals.endpointsTotal}`} bad={s.totals.endpointsDisabled > 0} to="/endpoints" />
          </div>
          {s.totals.events === 0 && s.totals.endpointsTotal === 0 && (
            <EmptyState title="Nothing has happened yet">
              Send events with <code>POST /api/v1/events</code>, or switch on the <Link to="/settings">store simulator</Link> to watch a
              pretend shop at work. Then <Link to="/inbox">create a test inbox</Link> to see signed webhooks arrive, and build a
              workflow on the <Link to="/workflows/new">canvas</Link>.
            </EmptyState>
          )}
          <div className="charts">
            <section className="card" aria-label="Events per minute">
              <h2>Events per minute</h2>
              <ResponsiveContainer width="100%" height={220}>
                <LineChart data={s.events}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" tickFormatter={(v: string) => tick(v, window)} minTickGap={30} />
                  <YAxis allowDecimals />
                  <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} />
                  <Line type="monotone" dataKey="perMinute" name="events / min" stroke="#2f6fed" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </section>
            <section className="card" aria-label="Runs">
              <h2>Runs finished</h2>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={s.runs}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" tickFormatter={(v: string) => tick(v, window)} minTickGap={30} />
                  <YAxis allowDecimals={false} />
                  <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} />
                  <Legend />
                  <Bar dataKey="succeeded" stackId="r" fill="#22a35a" isAnimationActive={false} />
                  <Bar dataKey="failed" stackId="r" fill="#dc2626" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </section>
            <section className="card" aria-label="Delivery attempts">
              <h2>Delivery attempts</h2>
              <ResponsiveContainer width="100%" height={220}>
                <BarChart data={s.attempts}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="at" tickFormatter={(v: string) => tick(v, window)} minTickGap={30} />
                  <YAxis allowDecimals={false} />
                  <Tooltip labelFormatter={(v) => new Date(String(v)).toLocaleString()} />
                  <Legend />
                  <Bar dataKey="succeeded" stackId="a" fill="#22a35a" isAnimationActive={false} />
                  <Bar dataKey="failed" stackId="a" fill="#dc2626" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </section>
          </div>
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
