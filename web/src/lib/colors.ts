/** One stable colour per run: a hash of the run id into a categorical palette. */

/** A 20-colour categorical palette, readable on white (Tableau 10 with darker companions). */
export const PALETTE: readonly string[] = [
  '#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f',
  '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#7f7f7f',
  '#1f4e89', '#c0570c', '#a8122a', '#2d8a84', '#2e6e23',
  '#b08e00', '#7a3f73', '#d9517f', '#6b4a33', '#3d3d3d',
];

/** FNV-1a 32-bit hash of a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function runColor(runId: string): string {
  return PALETTE[hashString(runId) % PALETTE.length];
}

/**
 * Colours for runs given oldest first: each run takes its hashed palette slot, or the next free
 * one when an older run holds it, so the first runs never share a colour. A run's colour depends
 * only on the runs created before it, so it stays the same as new runs arrive.
 */
export function assignColors(runIds: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  let used = new Set<number>();
  for (const id of runIds) {
    if (used.size === PALETTE.length) used = new Set();
    let slot = hashString(id) % PALETTE.length;
    while (used.has(slot)) slot = (slot + 1) % PALETTE.length;
    used.add(slot);
    out[id] = PALETTE[slot];
  }
  return out;
}

/** `#rrggbb` with an alpha channel, as `rgba(...)`. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}
