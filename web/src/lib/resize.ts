/** Panel heights set by dragging a panel's corner. */

export const DEFAULT_CHART_HEIGHT = 210;
export const MIN_CHART_HEIGHT = 120;
export const MAX_CHART_HEIGHT = 900;

/** A height dragged by `dy` pixels from `start`, kept within bounds and whole. */
export function dragHeight(start: number, dy: number): number {
  return Math.round(Math.min(MAX_CHART_HEIGHT, Math.max(MIN_CHART_HEIGHT, start + dy)));
}

/** A stored height, or the default when missing or unreadable. */
export function chartHeight(stored: unknown): number {
  return typeof stored === 'number' && Number.isFinite(stored) ? dragHeight(stored, 0) : DEFAULT_CHART_HEIGHT;
}
