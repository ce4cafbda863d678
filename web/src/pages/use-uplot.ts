import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/** A uPlot chart in the returned div: full width of it (followed with a ResizeObserver), destroyed on unmount. */
export function useUplot(opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData, height = 220) {
  const ref = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = ref.current!;
    const u = new uPlot({ ...opts, width: el.clientWidth, height }, data, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Data changes go through setData below; a new plot only when its options change.
  }, [opts, height]);
  useEffect(() => plot.current?.setData(data), [data]);
  return ref;
}
