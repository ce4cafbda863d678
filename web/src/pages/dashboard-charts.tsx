import type { Stats, StatsWindow } from '@tripline/shared';
import { useMemo } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useUplot } from './use-uplot.ts';

type Opts = Omit<uPlot.Options, 'width' | 'height'>;
type Counts = { at: string; succeeded: number; failed: number }[];

function tick(at: number, window: StatsWindow) {
  const d = new Date(at * 1000);
  return window === '7d' ? d.toLocaleDateString(undefined, { weekday: 'short', hour: '2-digit' }) : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

const seconds = (rows: { at: string }[]) => rows.map((r) => Date.parse(r.at) / 1000);
const wholeSteps = Array.from({ length: 21 }, (_, i) => [1, 2, 5][i % 3]! * 10 ** Math.floor(i / 3));
const noPoints = { show: false };

function options(window: StatsWindow, whole: boolean, series: uPlot.Series[], bands?: uPlot.Band[]): Opts {
  const grid = { stroke: '#e2e6ec', dash: [3, 3] };
  return {
    scales: { y: { range: (_u, _min, max) => [0, max > 0 ? (whole ? max : max * 1.1) : 1] } },
    axes: [
      { space: 70, grid, values: (_u, splits) => splits.map((s) => tick(s, window)) },
      { grid, incrs: whole ? wholeSteps : undefined },
    ],
    series: [{ value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString()) }, ...series],
    bands,
  };
}

/** Succeeded and failed as stacked bars: 'failed' is drawn as succeeded+failed, its band clipped to above succeeded. */
function stacked(window: StatsWindow): Opts {
  const bars = uPlot.paths.bars!({ size: [0.6, 64] });
  return options(
    window,
    true,
    [
      { label: 'succeeded', stroke: '#22a35a', fill: '#22a35a', paths: bars, points: noPoints },
      {
        label: 'failed',
        stroke: '#dc2626',
        fill: '#dc2626',
        paths: bars,
        points: noPoints,
        value: (u, v, _s, i) => (v == null || i == null ? '—' : String(v - (u.data[1]?.[i] ?? 0))),
      },
    ],
    [{ series: [2, 1] }],
  );
}

function Chart({ title, label, opts, data }: { title: string; label: string; opts: Opts; data: uPlot.AlignedData }) {
  const ref = useUplot(opts, data, 220);
  return (
    <section className="card" aria-label={label}>
      <h2>{title}</h2>
      <div ref={ref} />
    </section>
  );
}

const stackData = (rows: Counts): uPlot.AlignedData => [seconds(rows), rows.map((r) => r.succeeded), rows.map((r) => r.succeeded + r.failed)];

/** The dashboard's three series; its own chunk, so the figures show before the charts library loads. */
export function DashboardCharts({ stats, window }: { stats: Stats; window: StatsWindow }) {
  const lineOpts = useMemo(() => options(window, false, [{ label: 'events / min', stroke: '#2f6fed', width: 2, points: noPoints }]), [window]);
  const runsOpts = useMemo(() => stacked(window), [window]);
  const attemptsOpts = useMemo(() => stacked(window), [window]);
  const events = useMemo<uPlot.AlignedData>(() => [seconds(stats.events), stats.events.map((e) => e.perMinute)], [stats.events]);
  const runs = useMemo(() => stackData(stats.runs), [stats.runs]);
  const attempts = useMemo(() => stackData(stats.attempts), [stats.attempts]);
  return (
    <div className="charts">
      <Chart title="Events per minute" label="Events per minute" opts={lineOpts} data={events} />
      <Chart title="Runs finished" label="Runs" opts={runsOpts} data={runs} />
      <Chart title="Delivery attempts" label="Delivery attempts" opts={attemptsOpts} data={attempts} />
    </div>
  );
}
