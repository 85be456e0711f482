/** Pure helpers of the media panels: step slider positions, the histogram heatmap's pixels and
 * hover cell, table cells, file sizes. */

/** The index in ascending `steps` of `step`, or of the nearest step before it; 0 when before all. */
export function stepIndex(steps: readonly number[], step: number | null): number {
  if (!steps.length) return 0;
  if (step === null) return steps.length - 1;
  let lo = 0;
  let hi = steps.length - 1;
  if (step < steps[0]) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid] <= step) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The heatmap colour of a cell whose count is `t` of the largest (0..1): white to dark blue. */
export function heatColor(t: number): [number, number, number] {
  if (!(t > 0)) return [255, 255, 255];
  const x = Math.min(1, t);
  // light blue at the smallest non-zero counts, so a single sample is still visible
  const from = [219, 234, 254];
  const to = [30, 58, 138];
  const k = Math.sqrt(x);
  return [0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * k)) as [number, number, number];
}

/** RGBA pixels of a heatmap, one pixel per (step column, value bin), the highest bin on the top
 * row: `width` = columns, `height` = bins. */
export function heatmapPixels(counts: readonly (readonly number[])[], nbins: number, max: number): Uint8ClampedArray<ArrayBuffer> {
  const width = counts.length;
  const out = new Uint8ClampedArray(new ArrayBuffer(width * nbins * 4));
  for (let x = 0; x < width; x++) {
    const column = counts[x];
    for (let b = 0; b < nbins; b++) {
      const [r, g, bl] = heatColor(max > 0 ? (column[b] ?? 0) / max : 0);
      const y = nbins - 1 - b;
      const at = (y * width + x) * 4;
      out[at] = r;
      out[at + 1] = g;
      out[at + 2] = bl;
      out[at + 3] = 255;
    }
  }
  return out;
}

/** The (column, bin) under a point of a heatmap drawn `w` x `h` pixels, or null outside it. */
export function heatmapCell(px: number, py: number, w: number, h: number, columns: number, nbins: number): { column: number; bin: number } | null {
  if (px < 0 || py < 0 || px >= w || py >= h || !columns || !nbins) return null;
  const column = Math.min(columns - 1, Math.floor((px / w) * columns));
  const row = Math.min(nbins - 1, Math.floor((py / h) * nbins));
  return { column, bin: nbins - 1 - row };
}

/** A media reference inside a table cell (`{"_type": "image-file", "path"}`), or null. */
export function mediaCell(cell: unknown): { type: string; path: string; caption?: string } | null {
  if (typeof cell !== 'object' || cell === null || Array.isArray(cell)) return null;
  const ref = cell as Record<string, unknown>;
  if (typeof ref._type !== 'string' || typeof ref.path !== 'string') return null;
  return { type: ref._type, path: ref.path, caption: typeof ref.caption === 'string' ? ref.caption : undefined };
}

/** A plain table cell as text (objects as JSON); shown as text, never as HTML. */
export function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return JSON.stringify(cell);
}

/** `1536` → `1.5 KB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
