/** Display formatting for numbers, times and durations. */

/** Numbers from the API: JSON cannot carry NaN and infinities, so they come as strings. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return null;
}

/** A compact number: 4 significant digits, exponent form for very large or small values. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e9) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(4)));
}

/** A float64 value with up to 7 significant digits (exact values in tooltips). */
export function formatExact(v: number): string {
  if (!Number.isFinite(v)) return formatNumber(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e9 || a < 1e-4)) return v.toExponential(6).replace(/\.?0+e/, 'e');
  return String(Number(v.toPrecision(7)));
}

/** Any config or summary value as short text. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  const n = toNumber(v);
  if (n !== null) return formatNumber(n);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** Seconds as `1h 2m 3s`. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  let s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts: string[] = [];
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m && !d) parts.push(`${m}m`);
  if (!d && !h) parts.push(`${s}s`);
  return parts.join(' ');
}

/** Unix seconds as a local `YYYY-MM-DD HH:MM` (`:SS` added with `seconds`). */
export function formatTime(unix: number | null | undefined, seconds = false): string {
  if (unix === null || unix === undefined || !Number.isFinite(unix)) return '';
  const d = new Date(unix * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  const hm = `${p(d.getHours())}:${p(d.getMinutes())}` + (seconds ? `:${p(d.getSeconds())}` : '');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${hm}`;
}

/** Unix seconds as `5m ago`, relative to `now` (Unix seconds). */
export function formatAgo(unix: number | null | undefined, now: number): string {
  if (unix === null || unix === undefined || !Number.isFinite(unix)) return '';
  const s = Math.max(0, now - unix);
  if (s < 60) return 'just now';
  return `${formatDuration(s).split(' ')[0]} ago`;
}
