/** Custom charts (`trackboard.plot`, `visualize`): which panel draws a preset, and the data each
 * panel draws, computed from a chart table in columns (docs/http-api.md "Custom charts"). */

export interface ChartRun {
  run_id: string;
  name: string | null;
  /** The run's table file, relative to its `files/`. */
  path: string;
  extra: ChartExtra;
}

export interface ChartExtra {
  /** ROC: area under the curve per class label. */
  auc?: Record<string, number>;
  /** PR: average precision per class label. */
  average_precision?: Record<string, number>;
}

export interface CustomChart {
  key: string;
  /** The preset id (`wandb/confusion_matrix/v1`...). */
  kind: string;
  table_key: string;
  fields: Record<string, string>;
  strings: Record<string, string>;
  extra: ChartExtra;
  legacy: boolean;
  runs: ChartRun[];
}

export interface ChartTable {
  columns: string[];
  /** Cells per column, in logged order. */
  data: unknown[][];
  nrows: number;
  truncated: boolean;
}

export type ChartPanelKind = 'confusion' | 'roc' | 'pr' | 'line' | 'scatter' | 'bar' | 'histogram' | 'lineseries' | 'generic';

export const CUSTOM_SECTION = 'Custom charts';

/** The panel drawing a chart: by preset, and for the shared area-under-curve preset by the
 * area it carries (AUC: ROC, average precision: PR). */
export function chartPanelKind(chart: Pick<CustomChart, 'kind' | 'extra'>): ChartPanelKind {
  switch (chart.kind) {
    case 'wandb/confusion_matrix/v1':
      return 'confusion';
    case 'wandb/roc/v1':
      return 'roc';
    case 'wandb/pr_curve/v1':
      return 'pr';
    case 'wandb/area-under-curve/v0':
      return chart.extra.average_precision && !chart.extra.auc ? 'pr' : 'roc';
    case 'wandb/line/v0':
      return 'line';
    case 'wandb/scatter/v0':
      return 'scatter';
    case 'wandb/bar/v0':
      return 'bar';
    case 'wandb/histogram/v0':
      return 'histogram';
    case 'wandb/lineseries/v0':
      return 'lineseries';
    default:
      return 'generic';
  }
}

/** History keys holding the charts' tables, which are not shown again as plain table panels. */
export function chartTableKeys(charts: readonly CustomChart[]): Set<string> {
  return new Set(charts.map((c) => c.table_key));
}

/** The cells of `column` (empty when the table has no such column). */
export function column(table: ChartTable, name: string | undefined): unknown[] {
  const i = name === undefined ? -1 : table.columns.indexOf(name);
  return i < 0 ? [] : (table.data[i] ?? []);
}

/** A cell as a finite number, else null (text that parses counts). */
export function toNumber(cell: unknown): number | null {
  const n = typeof cell === 'number' ? cell : typeof cell === 'string' && cell.trim() !== '' ? Number(cell) : NaN;
  return Number.isFinite(n) ? n : null;
}

function label(cell: unknown): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

export interface Matrix {
  /** Class labels, first appearance order over both axes; rows are actual, columns predicted. */
  classes: string[];
  counts: number[][];
  max: number;
}

/** The confusion matrix of a table whose fields name the `Actual`, `Predicted` and
 * `nPredictions` columns; missing pairs count 0. */
export function confusionMatrix(table: ChartTable, fields: Record<string, string>): Matrix {
  const actual = column(table, fields.Actual ?? 'Actual');
  const predicted = column(table, fields.Predicted ?? 'Predicted');
  const counts = column(table, fields.nPredictions ?? 'nPredictions');
  const index = new Map<string, number>();
  const classes: string[] = [];
  const slot = (cell: unknown): number => {
    const name = label(cell);
    let i = index.get(name);
    if (i === undefined) {
      i = classes.length;
      index.set(name, i);
      classes.push(name);
    }
    return i;
  };
  const pairs: [number, number, number][] = [];
  const n = Math.min(actual.length, predicted.length);
  for (let r = 0; r < n; r++) pairs.push([slot(actual[r]), slot(predicted[r]), toNumber(counts[r]) ?? 0]);
  const grid = classes.map(() => new Array<number>(classes.length).fill(0));
  let max = 0;
  for (const [a, p, c] of pairs) {
    grid[a][p] += c;
    max = Math.max(max, grid[a][p]);
  }
  return { classes, counts: grid, max };
}

/** Each row divided by its total (true-class recall per cell); an empty row stays 0. */
export function normalizeRows(m: Matrix): Matrix {
  const counts = m.counts.map((row) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (total > 0 ? v / total : 0));
  });
  return { classes: m.classes, counts, max: counts.length ? 1 : 0 };
}

export interface Curve {
  label: string;
  x: number[];
  y: number[];
}

/** Points of `x`/`y` split by `group` (one curve per distinct value, first appearance order);
 * one curve labelled `fallback` when there is no group column. Rows with a non-number are skipped. */
export function curves(table: ChartTable, x: string | undefined, y: string | undefined, group?: string, fallback = ''): Curve[] {
  const xs = column(table, x);
  const ys = column(table, y);
  const gs = group ? column(table, group) : [];
  const byLabel = new Map<string, Curve>();
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const xv = toNumber(xs[i]);
    const yv = toNumber(ys[i]);
    if (xv === null || yv === null) continue;
    const name = gs.length ? label(gs[i]) : fallback;
    let c = byLabel.get(name);
    if (!c) {
      c = { label: name, x: [], y: [] };
      byLabel.set(name, c);
    }
    c.x.push(xv);
    c.y.push(yv);
  }
  return [...byLabel.values()];
}

/** A curve's legend text: the label with its area, e.g. `cat (AUC 0.970)`. */
export function curveLegend(name: string, kind: ChartPanelKind, extra: ChartExtra): string {
  const area = kind === 'pr' ? extra.average_precision?.[name] : extra.auc?.[name];
  if (area === undefined || !Number.isFinite(area)) return name;
  return `${name} (${kind === 'pr' ? 'AP' : 'AUC'} ${area.toFixed(3)})`;
}

/** The area under a curve by the trapezoid rule, over its points in logged order. */
export function trapezoidArea(c: Curve): number {
  let area = 0;
  for (let i = 1; i < c.x.length; i++) area += ((c.x[i] - c.x[i - 1]) * (c.y[i] + c.y[i - 1])) / 2;
  return area;
}

/** A run's areas, with the ROC areas computed from its curves when the chart carries none
 * (the legacy `trackboard.plots.ROC` stores no areas). */
export function withAreas(kind: ChartPanelKind, extra: ChartExtra, cs: readonly Curve[]): ChartExtra {
  if (kind !== 'roc' || extra.auc) return extra;
  return { ...extra, auc: Object.fromEntries(cs.map((c) => [c.label, trapezoidArea(c)])) };
}

export interface Bar {
  label: string;
  value: number;
}

/** Bars of a `label` / `value` table, in logged order (rows without a number are skipped). */
export function bars(table: ChartTable, labelField: string | undefined, valueField: string | undefined): Bar[] {
  const labels = column(table, labelField);
  const values = column(table, valueField);
  const out: Bar[] = [];
  for (let i = 0; i < Math.min(labels.length, values.length); i++) {
    const v = toNumber(values[i]);
    if (v !== null) out.push({ label: label(labels[i]), value: v });
  }
  return out;
}

/** Bars of any table: the first `limit` rows' `value` column, each labelled by its `labels`
 * columns' cells joined with ` · ` (the fallback for presets without a panel of their own). */
export function labelledBars(table: ChartTable, value: string, labels: readonly string[], limit: number): Bar[] {
  const values = column(table, value);
  const cols = labels.map((l) => column(table, l));
  const out: Bar[] = [];
  for (let i = 0; i < values.length && out.length < limit; i++) {
    const v = toNumber(values[i]);
    if (v !== null) out.push({ label: cols.map((c) => label(c[i])).join(' · '), value: v });
  }
  return out;
}

/** Columns holding numbers (booleans aside) in at least one cell. */
export function numericColumns(table: ChartTable): string[] {
  return table.columns.filter((c) => column(table, c).some((v) => typeof v !== 'boolean' && toNumber(v) !== null));
}

export interface Bins {
  edges: number[];
  counts: number[];
}

/** `n` equal-width bins over the finite values (one bin around a single distinct value). */
export function histogram(values: readonly unknown[], n: number): Bins {
  const xs = values.map(toNumber).filter((v): v is number => v !== null);
  if (!xs.length || n < 1) return { edges: [], counts: [] };
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of xs) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const width = (hi - lo) / n;
  const counts = new Array<number>(n).fill(0);
  for (const v of xs) counts[Math.min(n - 1, Math.floor((v - lo) / width))]++;
  return { edges: Array.from({ length: n + 1 }, (_, i) => lo + i * width), counts };
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (lo === hi) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** The colour of a heatmap cell holding `share` (0..1) of the largest cell: white to dark blue. */
export function cellColor(share: number): string {
  const t = Math.max(0, Math.min(1, share));
  const r = Math.round(247 - t * (247 - 8));
  const g = Math.round(251 - t * (251 - 48));
  const b = Math.round(255 - t * (255 - 107));
  return `rgb(${r}, ${g}, ${b})`;
}

/** Text readable on a cell of `share`. */
export function cellTextColor(share: number): string {
  return share > 0.5 ? '#ffffff' : '#1f2328';
}

/** A cell's text: a count as a whole number, a share with two decimals. */
export function cellText(value: number, normalized: boolean): string {
  return normalized ? value.toFixed(2) : String(Math.round(value));
}

/** Counts are written in cells at least this many pixels wide and tall. */
export const MIN_TEXT_CELL = 22;
