/** Per-run bucketed series and their alignment onto one shared x axis for drawing. */

export interface RunSeries {
  id: string;
  /** Each bucket's last step (or the x key's value there). */
  x: Float64Array;
  last: Float32Array;
  min: Float32Array;
  max: Float32Array;
  mean: Float32Array;
  /** bit 0: NaN, bit 1: +inf, bit 2: -inf present in the bucket. */
  flags: Uint8Array;
}

export interface SeriesData {
  key: string;
  xAxis: string;
  width: number;
  approximate: boolean;
  total: number;
  runs: RunSeries[];
}

export type Column = (number | null)[];

export interface Aligned {
  x: number[];
  /** For each input run, each input column re-indexed onto `x` (null where the run has no point). */
  columns: Column[][];
}

/** Turns values a chart cannot draw (non-finite; non-positive on a log axis) into null. */
export function drawable(v: number, log: boolean): number | null {
  if (!Number.isFinite(v)) return null;
  if (log && v <= 0) return null;
  return v;
}

/**
 * The sorted union of every run's (finite) x, with each run's columns placed on it. Points
 * without an x (another x key not logged yet) are left out.
 * Runs share bucket edges, so the union stays close to one run's length.
 */
export function align(runs: readonly { x: ArrayLike<number>; columns: ArrayLike<number>[] }[], log = false): Aligned {
  const all = new Set<number>();
  for (const r of runs) for (let i = 0; i < r.x.length; i++) if (Number.isFinite(r.x[i])) all.add(r.x[i]);
  const x = Float64Array.from(all).sort();
  const pos = new Map<number, number>();
  x.forEach((v, i) => pos.set(v, i));
  const columns = runs.map((r) =>
    r.columns.map((col) => {
      const out: Column = new Array(x.length).fill(null);
      for (let i = 0; i < r.x.length; i++) {
        const at = pos.get(r.x[i]);
        if (at !== undefined) out[at] = drawable(col[i], log);
      }
      return out;
    }),
  );
  return { x: Array.from(x), columns };
}

/** Index of the element of sorted `xs` closest to `target` (-1 when empty). */
export function nearestIndex(xs: ArrayLike<number>, target: number): number {
  const n = xs.length;
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(xs[lo - 1] - target) <= Math.abs(xs[lo] - target)) return lo - 1;
  return lo;
}

export interface HoverValue {
  id: string;
  x: number;
  y: number;
}

/** The `k` values closest to the cursor's y, nearest first (non-finite values last). */
export function nearestValues(values: readonly HoverValue[], cursorY: number, k: number): HoverValue[] {
  const dist = (v: HoverValue) => (Number.isFinite(v.y) ? Math.abs(v.y - cursorY) : Infinity);
  return [...values].sort((a, b) => dist(a) - dist(b)).slice(0, k);
}

/** A small order-sensitive checksum of drawn values, exposed to browser tests. */
export function checksum(columns: readonly Column[]): string {
  let h = 0;
  let n = 0;
  for (const col of columns)
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v === null) continue;
      h = (h * 31 + Math.round(v * 1e4) * (i + 1)) % 1_000_000_007;
      n++;
    }
  return `${n}:${h}`;
}

/** Names of the non-finite values a bucket's flags announce (bit 0 NaN, 1 +inf, 2 -inf). */
export function flagText(f: number | null | undefined): string {
  if (!f) return '';
  return [f & 1 ? 'NaN' : '', f & 2 ? '+inf' : '', f & 4 ? '-inf' : ''].filter(Boolean).join(' ');
}

/** Points one chart asks for across its runs (DECISIONS 12: buckets per run = min(chart width,
 * budget / runs)). The server keeps each bucket's min, max and last, so fewer buckets lose no
 * spike; they only spare the browser from drawing what no pixel can show. */
export const POINT_BUDGET = 20_000;

/** Buckets per run for a chart `widthPx` wide showing `runs` runs. */
export function chartBuckets(widthPx: number, runs: number): number {
  // A chart not laid out yet has no width (NaN or 0): ask for the most buckets, never NaN.
  const width = Number.isFinite(widthPx) && widthPx > 0 ? widthPx : 1000;
  const byWidth = Math.min(1000, Math.max(100, Math.ceil(width / 100) * 100));
  return Math.max(20, Math.min(byWidth, Math.floor(POINT_BUDGET / Math.max(1, runs))));
}
