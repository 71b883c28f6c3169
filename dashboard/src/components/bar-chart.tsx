// A small bar chart over time (uPlot on a canvas): one bar per series per bucket, side by
// side, sized to its container. A hidden table carries the same numbers for screen readers.
import 'uplot/dist/uPlot.min.css';

import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface BarSeries {
  label: string;
  color: string;
  values: number[];
}

export function BarChart(props: {
  /** Bucket start times, in seconds since the epoch. */
  times: number[];
  series: BarSeries[];
  label: string;
  /** How a bucket is named in the table and the tooltip. */
  bucket: 'hour' | 'day';
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const n = props.series.length;
    const step = props.bucket === 'hour' ? 3600 : 86_400;
    const bars = uPlot.paths.bars!;
    const chart = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: props.height ?? 220,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // Half a bucket of room on each side, so the first and last buckets' bars show whole.
          x: { time: true, range: (_u, min, max) => [min - step / 2, max + step / 2] },
          y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          { stroke: '#5b6475', grid: { show: false } },
          { stroke: '#5b6475', grid: { stroke: '#eef0f3' }, size: 40 },
        ],
        series: [
          {
            value: (_u, v) =>
              v == null
                ? '—'
                : new Date(v * 1000).toLocaleString(
                    undefined,
                    props.bucket === 'hour'
                      ? { hour: 'numeric', day: 'numeric', month: 'short' }
                      : { day: 'numeric', month: 'short' },
                  ),
          },
          ...props.series.map((s, i) => ({
            label: s.label,
            stroke: s.color,
            fill: s.color,
            width: 0,
            paths: bars({
              size: [0.8 / n, 40],
              align: n === 1 ? 0 : i === 0 ? -1 : 1,
            }),
            points: { show: false },
          })),
        ],
      },
      [props.times, ...props.series.map((s) => s.values)],
      el,
    );
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, el.clientWidth), height: props.height ?? 220 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.times, props.series]);

  const name = (t: number) =>
    new Date(t * 1000).toLocaleString(
      undefined,
      props.bucket === 'hour'
        ? { hour: 'numeric', day: 'numeric' }
        : { day: 'numeric', month: 'short' },
    );
  return (
    <figure class="chart" aria-label={props.label}>
      <div ref={box} class="chart-canvas" role="img" aria-label={props.label} />
      {/* Inside a div: a table box ignores the height and overflow that hide it. */}
      <div class="visually-hidden">
        <table>
          <caption>{props.label}</caption>
          <thead>
            <tr>
              <th>{props.bucket}</th>
              {props.series.map((s) => (
                <th key={s.label}>{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.times.map((t, i) => (
              <tr key={t}>
                <td>{name(t)}</td>
                {props.series.map((s) => (
                  <td key={s.label}>{s.values[i]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}

/** `count` bucket starts ending with the current one, oldest first (seconds since the epoch). */
export function buckets(bucket: 'hour' | 'day', count: number, now = new Date()): number[] {
  const start = new Date(now);
  if (bucket === 'hour') start.setMinutes(0, 0, 0);
  else start.setHours(0, 0, 0, 0);
  const step = bucket === 'hour' ? 3_600_000 : 86_400_000;
  return Array.from({ length: count }, (_, i) => (start.getTime() - (count - 1 - i) * step) / 1000);
}

/** Index of the bucket `iso` falls in, or -1 outside the range. */
export function bucketOf(times: number[], iso: string, bucket: 'hour' | 'day'): number {
  const t = new Date(iso).getTime() / 1000;
  const size = bucket === 'hour' ? 3600 : 86_400;
  const first = times[0] ?? 0;
  const i = Math.floor((t - first) / size);
  return i >= 0 && i < times.length ? i : -1;
}
