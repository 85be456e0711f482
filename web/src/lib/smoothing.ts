/**
 * Smoothing of a series, applied on the client so the slider responds at once.
 * NaN and infinite values pass through unchanged and do not feed the smoother.
 */

export type SmoothingKind = 'none' | 'ema' | 'twema' | 'average' | 'gaussian';

export const SMOOTHING_KINDS: readonly { kind: SmoothingKind; label: string }[] = [
  { kind: 'none', label: 'None' },
  { kind: 'ema', label: 'EMA' },
  { kind: 'twema', label: 'Time-weighted EMA' },
  { kind: 'average', label: 'Running average' },
  { kind: 'gaussian', label: 'Gaussian' },
];

export interface Smoothing {
  kind: SmoothingKind;
  /** 0..1 for the EMAs (0 is none); a window in points for the average; sigma in points for gaussian. */
  weight: number;
}

/** TensorBoard's debiased EMA: the first values are not pulled towards zero. */
export function ema(y: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(y.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

/**
 * EMA whose decay follows the gaps in x: a point far from the previous one weighs more,
 * so irregular logging does not distort the curve. `weight` is the decay per average x gap.
 */
export function timeWeightedEma(x: ArrayLike<number>, y: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(y.length);
  const n = x.length;
  const span = n > 1 ? (x[n - 1] - x[0]) / (n - 1) : 1;
  const unit = span > 0 ? span : 1;
  let last = 0;
  let debias = 0;
  let prevX = NaN;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    const gap = Number.isNaN(prevX) ? 1 : Math.max(0, (x[i] - prevX) / unit);
    const w = Math.pow(weight, gap);
    last = last * w + (1 - w) * v;
    debias = debias * w + (1 - w);
    out[i] = debias > 0 ? last / debias : v;
    prevX = x[i];
  }
  return out;
}

/** Mean of the last `window` finite values (trailing window). */
export function runningAverage(y: ArrayLike<number>, window: number): Float64Array {
  const w = Math.max(1, Math.round(window));
  const out = new Float64Array(y.length);
  const buf: number[] = [];
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    buf.push(v);
    sum += v;
    if (buf.length > w) sum -= buf.shift() as number;
    out[i] = sum / buf.length;
  }
  return out;
}

/** Gaussian kernel over neighbouring finite points, sigma in points, truncated at 3 sigma. */
export function gaussian(y: ArrayLike<number>, sigma: number): Float64Array {
  const out = new Float64Array(y.length);
  const s = Math.max(1e-9, sigma);
  const radius = Math.max(1, Math.ceil(3 * s));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * s * s)));
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      out[i] = y[i];
      continue;
    }
    let acc = 0;
    let norm = 0;
    for (let k = -radius; k <= radius; k++) {
      const j = i + k;
      if (j < 0 || j >= y.length || !Number.isFinite(y[j])) continue;
      acc += kernel[k + radius] * y[j];
      norm += kernel[k + radius];
    }
    out[i] = acc / norm;
  }
  return out;
}

/** Whether the setting changes the data at all. */
export function isActive(s: Smoothing): boolean {
  return s.kind !== 'none' && s.weight > 0;
}

export function smooth(x: ArrayLike<number>, y: ArrayLike<number>, s: Smoothing): Float64Array {
  switch (s.kind) {
    case 'ema':
      return ema(y, Math.min(s.weight, 0.999));
    case 'twema':
      return timeWeightedEma(x, y, Math.min(s.weight, 0.999));
    case 'average':
      return runningAverage(y, s.weight);
    case 'gaussian':
      return gaussian(y, s.weight);
    default:
      return Float64Array.from(y);
  }
}

/** The slider range that fits each kind. */
export function weightRange(kind: SmoothingKind): { min: number; max: number; step: number } {
  if (kind === 'average') return { min: 1, max: 100, step: 1 };
  if (kind === 'gaussian') return { min: 0.5, max: 50, step: 0.5 };
  return { min: 0, max: 0.99, step: 0.01 };
}
