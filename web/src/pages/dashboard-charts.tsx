import type { Stats, StatsWindow } from '@tripline/shared';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

function tick(at: string, window: StatsWindow) {
  const d = new Date(at);
  return window === '7d' ? d.toLocaleDateString(undefined, { weekday: 'short', hour: '2-digit' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** The dashboard's three series; its own chunk, so the figures show before the charts library loads. */
export function DashboardCharts({ stats, window }: { stats: Stats; window: StatsWindow }) {
  return (
    <div className="charts">
      <section className="card" aria-label="Events per minute">
        <h2>Events per minute</h2>
        <ResponsiveContainer width="100%" height={220}>
          <LineChart data={stats.events}>
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
          <BarChart data={stats.runs}>
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
          <BarChart data={stats.attempts}>
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
  );
}
