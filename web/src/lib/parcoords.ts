/**
 * The parallel-coordinates model of the sweep page: one axis per sweep parameter and the
 * metric last, each mapping a run's value to a position in [0, 1] (0 at the bottom), and
 * brushes (a [lo, hi] range of positions per axis) that select the runs inside all of them.
 *
 * A brush is kept as a {@link ValueRange} (values, not positions): axes rescale as a live sweep
 * adds runs, and a range of values keeps selecting the same runs; it is also what the page's URL
 * holds ({@link encodeRanges}), so a reload restores the filter.
 */

export type AxisScale = 'linear' | 'log' | 'categorical';

export interface AxisSpec {
  name: string;
  scale: AxisScale;
}

export interface Axis {
  name: string;
  scale: AxisScale;
  /** A value's position in [0, 1], or null when the value cannot sit on this axis. */
  position: (value: unknown) => number | null;
  /** The value at a position (numeric axes), or the category nearest to it. */
  invert: (pos: number) => number | string | null;
  ticks: { label: string; pos: number }[];
}

export type Brush = readonly [number, number];

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function categoryKey(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/** An axis over `values` (the runs' values for it); a log axis with a non-positive value
 * falls back to linear. */
export function buildAxis(spec: AxisSpec, values: readonly unknown[]): Axis {
  if (spec.scale === 'categorical' || values.some((v) => v !== undefined && v !== null && !isNum(v))) {
    const cats = [...new Set(values.filter((v) => v !== undefined && v !== null).map(categoryKey))].sort();
    const pos = (i: number) => (cats.length <= 1 ? 0.5 : i / (cats.length - 1));
    return {
      name: spec.name,
      scale: 'categorical',
      position: (v) => {
        const i = v === undefined || v === null ? -1 : cats.indexOf(categoryKey(v));
        return i < 0 ? null : pos(i);
      },
      invert: (p) => (cats.length ? cats[Math.round(Math.min(1, Math.max(0, p)) * (cats.length - 1))] : null),
      ticks: cats.map((c, i) => ({ label: c, pos: pos(i) })),
    };
  }
  const nums = values.filter(isNum);
  const log = spec.scale === 'log' && nums.length > 0 && nums.every((v) => v > 0);
  const tf = log ? Math.log10 : (v: number) => v;
  const t = nums.map(tf);
  let lo = t.length ? Math.min(...t) : 0;
  let hi = t.length ? Math.max(...t) : 1;
  if (hi === lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const position = (v: unknown) => (isNum(v) && (!log || v > 0) ? (tf(v) - lo) / (hi - lo) : null);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((p) => {
    const x = lo + p * (hi - lo);
    return { label: fmt(log ? 10 ** x : x), pos: p };
  });
  const invert = (p: number) => {
    const x = lo + p * (hi - lo);
    return log ? 10 ** x : x;
  };
  return { name: spec.name, scale: log ? 'log' : spec.scale === 'log' ? 'linear' : spec.scale, position, invert, ticks };
}

export interface ParRun {
  run_id: string;
  params: Record<string, unknown>;
  metric: number | null;
}

/** The name of the metric axis (never a parameter's name: those come from the config). */
export const METRIC_AXIS = '\u0000metric';

/** The value a run has on an axis: a parameter, or its metric on {@link METRIC_AXIS}. */
export function valueOn(run: ParRun, axis: string): unknown {
  return axis === METRIC_AXIS ? run.metric : run.params[axis];
}

/** The axes of a sweep: its parameters in order, then the metric (linear). */
export function buildAxes(specs: readonly AxisSpec[], runs: readonly ParRun[]): Axis[] {
  return [...specs, { name: METRIC_AXIS, scale: 'linear' as const }].map((spec) =>
    buildAxis(spec, runs.map((r) => valueOn(r, spec.name))),
  );
}

const STOPS: readonly [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** A colour for a metric value: dark purple (worst) to yellow (best) for `goal`; grey for none. */
export function metricColor(value: number | null, lo: number, hi: number, goal: 'minimize' | 'maximize' = 'minimize'): string {
  if (value === null || !Number.isFinite(value)) return '#b0b0b0';
  let t = hi > lo ? (value - lo) / (hi - lo) : 1;
  if (goal === 'minimize') t = 1 - t;
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const c = STOPS[i].map((a, k) => Math.round(a + f * (STOPS[i + 1][k] - a)));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** A brush in values: a numeric range, or the categories it covers. */
export type ValueRange = { lo: number; hi: number } | { cats: string[] };

/** The values a brush of positions covers on `axis`. */
export function brushToRange(axis: Axis, brush: Brush): ValueRange {
  const [a, b] = [Math.min(...brush), Math.max(...brush)];
  if (axis.scale === 'categorical') {
    return { cats: axis.ticks.filter((t) => t.pos >= a - 1e-9 && t.pos <= b + 1e-9).map((t) => t.label) };
  }
  return { lo: Number(axis.invert(a)), hi: Number(axis.invert(b)) };
}

/** Where a range sits on `axis` now (clamped to the axis), for drawing; null when nothing does. */
export function rangeToBrush(axis: Axis, range: ValueRange): Brush | null {
  const clamp = (p: number) => Math.min(1, Math.max(0, p));
  if ('cats' in range) {
    const at = range.cats.map((c) => axis.position(c)).filter((p): p is number => p !== null);
    if (!at.length) return null;
    return [clamp(Math.min(...at) - 0.02), clamp(Math.max(...at) + 0.02)];
  }
  const lo = axis.position(range.lo);
  const hi = axis.position(range.hi);
  if (lo === null || hi === null) return null;
  return [clamp(Math.min(lo, hi)), clamp(Math.max(lo, hi))];
}

/** Whether a value lies in a range (a number between its ends, or one of its categories). */
export function inRange(value: unknown, range: ValueRange): boolean {
  if ('cats' in range) return value !== undefined && value !== null && range.cats.includes(categoryKey(value));
  const tol = 1e-9 * Math.max(1, Math.abs(range.lo), Math.abs(range.hi));
  return isNum(value) && value >= range.lo - tol && value <= range.hi + tol;
}

/** The ids of the runs inside every range (a run without a value on a ranged axis is out). */
export function selectRunsByRange(runs: readonly ParRun[], ranges: Readonly<Record<string, ValueRange>>): Set<string> {
  const out = new Set<string>();
  const entries = Object.entries(ranges);
  for (const run of runs) {
    if (entries.every(([axis, range]) => inRange(valueOn(run, axis), range))) out.add(run.run_id);
  }
  return out;
}

const URL_METRIC = '@metric';

/** Ranges as URL text: JSON of `{axis: [lo, hi] | ["in", ...categories]}`; '' for none. */
export function encodeRanges(ranges: Readonly<Record<string, ValueRange>>): string {
  const out: Record<string, unknown[]> = {};
  for (const [axis, range] of Object.entries(ranges)) {
    out[axis === METRIC_AXIS ? URL_METRIC : axis] = 'cats' in range ? ['in', ...range.cats] : [range.lo, range.hi];
  }
  return Object.keys(out).length ? JSON.stringify(out) : '';
}

/** {@link encodeRanges}'s text back to ranges; anything malformed is left out. */
export function decodeRanges(text: string | null): Record<string, ValueRange> {
  const out: Record<string, ValueRange> = {};
  if (!text) return out;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return out;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!Array.isArray(value)) continue;
    const axis = key === URL_METRIC ? METRIC_AXIS : key;
    if (value[0] === 'in' && value.slice(1).every((c) => typeof c === 'string')) {
      out[axis] = { cats: value.slice(1) as string[] };
    } else if (value.length === 2 && isNum(value[0]) && isNum(value[1])) {
      out[axis] = { lo: Math.min(value[0], value[1]), hi: Math.max(value[0], value[1]) };
    }
  }
  return out;
}
