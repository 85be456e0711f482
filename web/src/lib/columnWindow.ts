/** Horizontal windowing of the runs table: fixed column widths, and the slice of columns in view. */

import type { ColumnSpec } from './runtable';

/** Narrowest and widest a scrolling column is drawn (px). */
export const MIN_COLUMN_WIDTH = 64;
export const MAX_COLUMN_WIDTH = 220;
/** Width (px) of one character of a header label, and the header's padding, sort arrow and badge. */
const CHAR_WIDTH = 7;
const HEADER_EXTRA = 40;

const BASE_WIDTHS: Readonly<Record<string, number>> = {
  name: 200,
  state: 76,
  created_at: 96,
  runtime: 84,
  tags: 140,
};

/**
 * The fixed width (px) of a column: set for the run columns, else measured from the label's
 * length and clamped to [MIN_COLUMN_WIDTH, MAX_COLUMN_WIDTH], so it is known before any cell is drawn.
 */
export function columnWidth(col: ColumnSpec): number {
  if (col.group === 'run' && col.id in BASE_WIDTHS) return BASE_WIDTHS[col.id];
  const w = col.label.length * CHAR_WIDTH + HEADER_EXTRA;
  return Math.min(MAX_COLUMN_WIDTH, Math.max(MIN_COLUMN_WIDTH, w));
}

/**
 * Up to this many columns are all drawn: windowing only pays with many, and a table drawn whole
 * keeps every header reachable by keyboard and by find-in-page.
 */
export const DRAW_ALL_UP_TO = 40;

export interface ColumnWindow {
  /** Index of the first column drawn. */
  first: number;
  /** One past the index of the last column drawn. */
  last: number;
  /** Width (px) of the spacer left of the first column drawn. */
  before: number;
  /** Width (px) of the spacer right of the last column drawn. */
  after: number;
  /** Width (px) of every column together. */
  total: number;
}

/**
 * The columns of `widths` (laid out left to right from 0) that overlap the view
 * [scrollLeft, scrollLeft + viewWidth], plus `overscan` columns each side, and the spacer widths
 * that stand in for the rest; every column when there are at most `drawAllUpTo`.
 * `before + drawn widths + after` always equals `total`.
 * A negative or too large scrollLeft is clamped; no columns give an empty window.
 */
export function columnWindow(
  widths: readonly number[],
  scrollLeft: number,
  viewWidth: number,
  overscan = 2,
  drawAllUpTo = DRAW_ALL_UP_TO,
): ColumnWindow {
  const offsets = new Array<number>(widths.length + 1);
  offsets[0] = 0;
  for (let i = 0; i < widths.length; i++) offsets[i + 1] = offsets[i] + widths[i];
  const total = offsets[widths.length];
  if (widths.length <= drawAllUpTo) return { first: 0, last: widths.length, before: 0, after: 0, total };
  const left = Math.min(Math.max(0, scrollLeft), total);
  const right = left + Math.max(0, viewWidth);
  // The first column whose right edge is past `left`, and one past the last whose left edge is before `right`.
  const start = upperBound(offsets, left) - 1;
  const end = lowerBound(offsets, right);
  const first = Math.max(0, Math.min(start, widths.length) - overscan);
  const last = Math.min(widths.length, Math.max(end, start + 1) + overscan);
  return { first, last, before: offsets[first], after: total - offsets[last], total };
}

/** The first index whose value is > x. */
function upperBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index whose value is >= x. */
function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
