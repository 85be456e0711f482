/** Grouping runs and aggregating a group's series per x: the mean with a min/max or ±1 std band. */

import { assignColors } from './colors';
import { unwrap } from './runtable';

export type BandKind = 'minmax' | 'std';

export interface GroupableRun {
  id: string;
  group: string | null;
  job_type: string | null;
  config: Record<string, unknown>;
}

export interface RunGroup {
  /** The grouping value as text ('(none)' when runs lack it). */
  label: string;
  color: string;
  runIds: string[];
}

export const NO_VALUE = '(none)';

/** The value runs are grouped by: `group`, `job_type` or `config.<key>`. */
export function groupValue(run: GroupableRun, by: string): string {
  let v: unknown;
  if (by === 'group') v = run.group;
  else if (by === 'job_type') v = run.job_type;
  else if (by.startsWith('config.')) v = unwrap(run.config?.[by.slice(7)]);
  if (v === null || v === undefined || v === '') return NO_VALUE;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Runs split by `by` (none when `by` is empty), groups in order of first appearance. */
export function groupRuns(runs: readonly GroupableRun[], by: string): RunGroup[] {
  if (!by) return [];
  const byLabel = new Map<string, string[]>();
  for (const r of runs) {
    const label = groupValue(r, by);
    const ids = byLabel.get(label);
    if (ids) ids.push(r.id);
    else byLabel.set(label, [r.id]);
  }
  const colors = assignColors([...byLabel.keys()].map((l) => `group:${l}`));
  return [...byLabel].map(([label, runIds]) => ({ label, color: colors[`group:${label}`], runIds }));
}

export interface SeriesInput {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Aggregate {
  x: number[];
  mean: number[];
  min: number[];
  max: number[];
  std: number[];
  /** How many runs have a finite value at each x. */
  count: number[];
}

/**
 * Per-x aggregate over runs. With `width > 0` (the series' bucket width, in steps) points are
 * matched by bucket, `floor(x / width)`, and each bucket is placed at the largest x any run has
 * in it (the server gives each bucket's last step); otherwise by equal x. Only runs with a
 * finite value at a bucket count there: a step some runs lack averages over those that have it.
 */
export function aggregate(runs: readonly SeriesInput[], width = 0): Aggregate {
  interface Acc {
    x: number;
    n: number;
    sum: number;
    sq: number;
    min: number;
    max: number;
  }
  const buckets = new Map<number, Acc>();
  for (const r of runs) {
    for (let i = 0; i < r.x.length; i++) {
      const x = r.x[i];
      const y = r.y[i];
      if (!Number.isFinite(x)) continue;
      const id = width > 0 ? Math.floor(x / width) : x;
      let a = buckets.get(id);
      if (!a) {
        a = { x, n: 0, sum: 0, sq: 0, min: Infinity, max: -Infinity };
        buckets.set(id, a);
      }
      if (x > a.x) a.x = x;
      if (!Number.isFinite(y)) continue;
      a.n++;
      a.sum += y;
      a.sq += y * y;
      if (y < a.min) a.min = y;
      if (y > a.max) a.max = y;
    }
  }
  const sorted = [...buckets.values()].sort((p, q) => p.x - q.x);
  const out: Aggregate = { x: [], mean: [], min: [], max: [], std: [], count: [] };
  for (const a of sorted) {
    const mean = a.n ? a.sum / a.n : NaN;
    out.x.push(a.x);
    out.mean.push(mean);
    out.min.push(a.n ? a.min : NaN);
    out.max.push(a.n ? a.max : NaN);
    out.std.push(a.n ? Math.sqrt(Math.max(0, a.sq / a.n - mean * mean)) : NaN);
    out.count.push(a.n);
  }
  return out;
}

/** The band's lower and upper edges: min/max, or mean ± one standard deviation. */
export function band(a: Aggregate, kind: BandKind): { lo: number[]; hi: number[] } {
  if (kind === 'std') return { lo: a.mean.map((m, i) => m - a.std[i]), hi: a.mean.map((m, i) => m + a.std[i]) };
  return { lo: a.min, hi: a.max };
}
