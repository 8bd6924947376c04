import { clock } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag, attrs) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  return element;
}

/**
 * Throughput as inline SVG bars: per bucket, events written (light) behind
 * events published (dark). No library: a few dozen rectangles. The numbers
 * are also in a visually hidden table, for screen readers.
 * @param {{ at: string, occurred: number, published: number }[]} buckets
 */
export function throughputChart(buckets, label) {
  const width = 600;
  const height = 120;
  const top = Math.max(1, ...buckets.map((b) => Math.max(b.occurred, b.published)));
  const step = width / Math.max(1, buckets.length);
  const chart = svg('svg', {
    class: 'chart',
    viewBox: `0 0 ${width} ${height + 14}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': label,
  });
  buckets.forEach((bucket, i) => {
    for (const kind of ['occurred', 'published']) {
      const barHeight = (bucket[kind] / top) * height;
      const inset = kind === 'published' ? step * 0.25 : step * 0.1;
      const bar = svg('rect', {
        class: kind,
        x: i * step + inset,
        y: height - barHeight,
        width: Math.max(0.5, step - 2 * inset),
        height: barHeight,
      });
      const title = svg('title', {});
      title.textContent = `${clock(bucket.at)} UTC: ${bucket[kind]} ${kind}`;
      bar.append(title);
      chart.append(bar);
    }
  });
  const peak = svg('text', { x: 2, y: 10 });
  peak.textContent = `peak ${top}`;
  chart.append(peak);
  return chart;
}
