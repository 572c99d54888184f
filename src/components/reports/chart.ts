/**
 * Geometry of the trend chart (pure). The SVG itself is drawn by views/partials/reports/trend-chart.ejs
 * with every value escaped; this only turns percentages into coordinates. Months whose figure is
 * suppressed are gaps in the line, never zero.
 */

export interface ChartPoint {
  /** The full name of the month (the dot's tooltip). */
  label: string;
  /** Percent 0–100, or null when not shown. */
  value: number | null;
  /** The axis label: the short month name, and the year shown where it changes. Default: `label`. */
  month?: string;
  year?: string;
}

/** Font size of the axis labels in the SVG's own units (public/css/reports.css says the same). */
export const AXIS_FONT = 12;
/** A generous width per character of the axis font (wider than any glyph of the short month names). */
const CHAR_WIDTH = 0.68 * AXIS_FONT;
/** Space kept free between two neighbouring month labels. */
const LABEL_GAP = 10;

/** The width an axis label takes at most, in the SVG's units. */
export function labelWidth(lines: readonly string[]): number {
  return Math.max(0, ...lines.map((l) => l.length)) * CHAR_WIDTH;
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; top: number; right: number; bottom: number };
  yTicks: Array<{ y: number; label: string }>;
  /** Month labels: one or two lines (month, and the year where it changes), never overlapping. */
  xTicks: Array<{ x: number; label: string; lines: string[] }>;
  /** Path data of the line, one segment per run of shown months. */
  path: string;
  dots: Array<{ x: number; y: number; label: string; value: number }>;
  target: { y: number; percent: number } | null;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function chartGeometry(points: readonly ChartPoint[], targetPercent: number | null, size = { width: 720, height: 300 }): ChartGeometry {
  const plot = { left: 48, top: 16, right: size.width - 24, bottom: size.height - 48 };
  const w = plot.right - plot.left;
  const h = plot.bottom - plot.top;
  const x = (i: number) => round(points.length <= 1 ? plot.left + w / 2 : plot.left + (w * i) / (points.length - 1));
  const y = (percent: number) => round(plot.bottom - (h * Math.min(100, Math.max(0, percent))) / 100);
  const yTicks = [0, 25, 50, 75, 100].map((p) => ({ y: y(p), label: `${p} %` }));
  // Every step-th month gets a label, the step chosen so that the widest label fits between two
  // labelled months. The text scales with the SVG, so what fits here fits at every width.
  const linesOf = (p: ChartPoint, withYear: boolean) => (p.month === undefined ? [p.label] : withYear && p.year ? [p.month, p.year] : [p.month]);
  const widest = Math.max(0, ...points.map((p) => labelWidth(linesOf(p, true))));
  const spacing = points.length <= 1 ? w : w / (points.length - 1);
  const step = Math.max(1, Math.ceil((widest + LABEL_GAP) / spacing));
  const xTicks: ChartGeometry['xTicks'] = [];
  let lastYear: string | undefined;
  points.forEach((p, i) => {
    if (i % step !== 0) return;
    const lines = linesOf(p, p.year !== lastYear);
    lastYear = p.year;
    xTicks.push({ x: x(i), label: lines.join(' '), lines });
  });
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
