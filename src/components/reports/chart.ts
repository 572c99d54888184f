/**
 * Geometry of the trend chart (pure). The SVG itself is drawn by views/partials/reports/trend-chart.ejs
 * with every value escaped; this only turns percentages into coordinates. Months whose figure is
 * suppressed are gaps in the line, never zero.
 */

export interface ChartPoint {
  label: string;
  /** Percent 0–100, or null when not shown. */
  value: number | null;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  yTicks: Array<{ y: number; label: string }>;
  xTicks: Array<{ x: number; label: string }>;
  /** Path data of the line, one segment per run of shown months. */
  path: string;
  dots: Array<{ x: number; y: number; label: string; value: number }>;
  target: { y: number; percent: number } | null;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function chartGeometry(points: readonly ChartPoint[], targetPercent: number | null, size = { width: 720, height: 300 }): ChartGeometry {
  const plot = { left: 48, top: 16, right: size.width - 16, bottom: size.height - 40 };
  const w = plot.right - plot.left;
  const h = plot.bottom - plot.top;
  const x = (i: number) => round(points.length <= 1 ? plot.left + w / 2 : plot.left + (w * i) / (points.length - 1));
  const y = (percent: number) => round(plot.bottom - (h * Math.min(100, Math.max(0, percent))) / 100);
  const yTicks = [0, 25, 50, 75, 100].map((p) => ({ y: y(p), label: `${p} %` }));
  // At most 12 month labels, so they never overlap.
  const step = Math.max(1, Math.ceil(points.length / 12));
  const xTicks = points.flatMap((p, i) => (i % step === 0 || i === points.length - 1 ? [{ x: x(i), label: p.label }] : []));
  const dots: ChartGeometry['dots'] = [];
  let path = '';
  let drawing = false;
  points.forEach((p, i) => {
    if (p.value === null) {
      drawing = false;
      return;
    }
    const px = x(i);
    const py = y(p.value);
    path += `${drawing ? 'L' : 'M'}${px} ${py} `;
    drawing = true;
    dots.push({ x: px, y: py, label: p.label, value: p.value });
  });
  return {
    width: size.width,
    height: size.height,
    plot,
    yTicks,
    xTicks,
    path: path.trim(),
    dots,
    target: targetPercent === null ? null : { y: y(targetPercent), percent: targetPercent },
  };
}
