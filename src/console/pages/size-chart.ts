import { html } from 'hono/html';
import type { Html } from './layout.ts';

export interface SizePoint {
  readonly at: number;
  readonly size: number;
}

const WIDTH = 600;
const HEIGHT = 120;
const PAD = 24;

/**
 * An audience's size over time as a step line (a sample holds until the next one), in inline
 * SVG: no script, no library. The last point is the size now.
 */
export function sizeChart(points: readonly SizePoint[]): Html {
  if (points.length < 2) return html`<p id="size-chart">Not enough samples yet for a chart (sizes are sampled every minute, and when the manual clock moves).</p>`;
  const first = points[0]!.at;
  const last = points[points.length - 1]!.at;
  const span = Math.max(1, last - first);
  const top = Math.max(1, ...points.map((p) => p.size));
  const x = (at: number) => PAD + ((at - first) / span) * (WIDTH - 2 * PAD);
  const y = (size: number) => HEIGHT - PAD - (size / top) * (HEIGHT - 2 * PAD);
  const path: string[] = [];
  points.forEach((p, i) => {
    if (i > 0) path.push(`${x(p.at).toFixed(1)},${y(points[i - 1]!.size).toFixed(1)}`);
    path.push(`${x(p.at).toFixed(1)},${y(p.size).toFixed(1)}`);
  });
  return html`<svg id="size-chart" role="img" aria-label="size over time" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" style="background:#fff;border:1px solid #e3e6ea">
    <polyline fill="none" stroke="#2463eb" stroke-width="2" points="${path.join(' ')}" />
    <text x="${PAD}" y="14" font-size="11" fill="#5b6570">max ${top}</text>
    <text x="${PAD}" y="${HEIGHT - 6}" font-size="11" fill="#5b6570">${new Date(first).toISOString()}</text>
    <text x="${WIDTH - PAD}" y="${HEIGHT - 6}" font-size="11" fill="#5b6570" text-anchor="end">${new Date(last).toISOString()}</text>
  </svg>`;
}
