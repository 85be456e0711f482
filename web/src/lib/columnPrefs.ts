/** Which runs-table columns are shown, and in what order: the state behind the Columns menu. */

import type { ColumnSpec } from './runtable';

/** The column that names each run: always shown, always first (it sticks to the left edge). */
export const NAME_COLUMN = 'name';
/** Most columns kept in `front`; more pins push the oldest out. */
export const MAX_FRONT = 100;

export interface ColumnPrefs {
  /** Columns hidden by id. */
  hidden: Record<string, true>;
  /** Columns moved to the front, in the order shown (right after the name). */
  front: string[];
}

export const DEFAULT_COLUMN_PREFS: ColumnPrefs = { hidden: {}, front: [] };

/**
 * The prefs in `raw` (parsed JSON from storage or elsewhere); anything malformed is dropped,
 * so unreadable settings start fresh rather than break the table.
 */
export function parseColumnPrefs(raw: unknown): ColumnPrefs {
  if (!raw || typeof raw !== 'object') return { hidden: {}, front: [] };
  const r = raw as { hidden?: unknown; front?: unknown };
  const hidden: Record<string, true> = {};
  if (r.hidden && typeof r.hidden === 'object' && !Array.isArray(r.hidden)) {
    for (const [k, v] of Object.entries(r.hidden)) if (v === true && k !== NAME_COLUMN) hidden[k] = true;
  }
  const front = Array.isArray(r.front)
    ? [...new Set(r.front.filter((k): k is string => typeof k === 'string' && k !== NAME_COLUMN))].slice(0, MAX_FRONT)
    : [];
  return { hidden, front };
}

/**
 * `columns` in display order with the hidden ones left out: the name column first, then the
 * columns in `front` (in that order; ids not among `columns` are skipped), then the rest in
 * their given order.
 */
export function arrangeColumns<C extends ColumnSpec>(columns: readonly C[], prefs: ColumnPrefs): C[] {
  const byId = new Map(columns.map((c) => [c.id, c]));
  const out: C[] = [];
  const name = byId.get(NAME_COLUMN);
  if (name) out.push(name);
  const placed = new Set<string>([NAME_COLUMN]);
  for (const id of prefs.front) {
    const c = byId.get(id);
    if (c && !placed.has(id)) {
      placed.add(id);
      if (!prefs.hidden[id]) out.push(c);
    }
  }
  for (const c of columns) if (!placed.has(c.id) && !prefs.hidden[c.id]) out.push(c);
  return out;
}

/** Shows a hidden column, or hides a shown one (the name column cannot be hidden). */
export function toggleColumn(prefs: ColumnPrefs, id: string): ColumnPrefs {
  if (id === NAME_COLUMN) return prefs;
  const hidden = { ...prefs.hidden };
  if (hidden[id]) delete hidden[id];
  else hidden[id] = true;
  return { ...prefs, hidden };
}

/** Shows every column, or only those among `ids` when given (e.g. the ones a search matched). */
export function showColumns(prefs: ColumnPrefs, ids?: readonly string[]): ColumnPrefs {
  if (!ids) return { ...prefs, hidden: {} };
  const hidden = { ...prefs.hidden };
  for (const id of ids) delete hidden[id];
  return { ...prefs, hidden };
}

/** Hides every column among `ids` but the name column. */
export function hideColumns(prefs: ColumnPrefs, ids: readonly string[]): ColumnPrefs {
  const hidden = { ...prefs.hidden };
  for (const id of ids) if (id !== NAME_COLUMN) hidden[id] = true;
  return { ...prefs, hidden };
}

/** Moves a column to the front (after those already there), showing it; or back to its place when already at the front. */
export function togglePinColumn(prefs: ColumnPrefs, id: string): ColumnPrefs {
  if (id === NAME_COLUMN) return prefs;
  if (prefs.front.includes(id)) return { ...prefs, front: prefs.front.filter((k) => k !== id) };
  const hidden = { ...prefs.hidden };
  delete hidden[id];
  return { hidden, front: [...prefs.front, id].slice(-MAX_FRONT) };
}

/** Columns whose label or id contains every word of `query` (case-insensitive). */
export function searchColumns<C extends ColumnSpec>(columns: readonly C[], query: string): C[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [...columns];
  return columns.filter((c) => {
    const text = `${c.group} ${c.id} ${c.label}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
