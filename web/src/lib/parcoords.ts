/**
 * The parallel-coordinates model of the sweep page: one axis per sweep parameter and the
 * metric last, each mapping a run's value to a position in [0, 1] (0 at the bottom), and
 * brushes (a [lo, hi] range of positions per axis) that select the runs inside all of them.
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
  return { name: spec.name, scale: log ? 'log' : spec.scale === 'log' ? 'linear' : spec.scale, position, ticks };
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

/** The ids of the runs inside every brush (a run with no position on a brushed axis is out). */
export function selectRuns(runs: readonly ParRun[], axes: readonly Axis[], brushes: Readonly<Record<string, Brush>>): Set<string> {
  const out = new Set<string>();
  for (const run of runs) {
    const inside = axes.every((axis) => {
      const brush = brushes[axis.name];
      if (!brush) return true;
      const p = axis.position(valueOn(run, axis.name));
      return p !== null && p >= Math.min(...brush) - 1e-9 && p <= Math.max(...brush) + 1e-9;
    });
    if (inside) out.add(run.run_id);
  }
  return out;
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
