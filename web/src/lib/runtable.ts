/** Columns and sorting of the runs table. */

export interface RunLike {
  id: string;
  name: string;
  state: string;
  created_at: number;
  runtime: number | null;
  tags: string[];
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
}

export interface ColumnSpec {
  id: string;
  label: string;
  group: 'run' | 'config' | 'summary';
}

export const BASE_COLUMNS: readonly ColumnSpec[] = [
  { id: 'name', label: 'Name', group: 'run' },
  { id: 'state', label: 'State', group: 'run' },
  { id: 'created_at', label: 'Created', group: 'run' },
  { id: 'runtime', label: 'Runtime', group: 'run' },
  { id: 'tags', label: 'Tags', group: 'run' },
];

/** The value of a wandb config entry: `{"value": v, "desc": ...}` or a plain value. */
export function unwrap(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'value' in v) return (v as { value: unknown }).value;
  return v;
}

/**
 * Config and summary columns found in any run (keys starting with `_` left out), sorted; all of
 * them, however many (the table draws only those in view).
 */
export function dynamicColumns(runs: readonly RunLike[]): ColumnSpec[] {
  const config = new Set<string>();
  const summary = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.config ?? {})) if (!k.startsWith('_')) config.add(k);
    for (const k of Object.keys(r.summary ?? {})) if (!k.startsWith('_')) summary.add(k);
  }
  return [
    ...[...config].sort().map((k) => ({ id: `config.${k}`, label: k, group: 'config' as const })),
    ...[...summary].sort().map((k) => ({ id: `summary.${k}`, label: k, group: 'summary' as const })),
  ];
}

export function cellValue(run: RunLike, column: string): unknown {
  if (column.startsWith('config.')) return unwrap(run.config?.[column.slice(7)]);
  if (column.startsWith('summary.')) return run.summary?.[column.slice(8)];
  return (run as unknown as Record<string, unknown>)[column];
}

function rank(v: unknown): [number, number | string] {
  if (v === null || v === undefined || v === '') return [2, 0];
  if (typeof v === 'number') return Number.isNaN(v) ? [1, 0] : [0, v];
  if (typeof v === 'boolean') return [0, v ? 1 : 0];
  if (Array.isArray(v)) return [0, v.join(',')];
  return [0, typeof v === 'string' ? v : JSON.stringify(v)];
}

/** Sorted copy; missing values always last, whichever the direction. */
export function sortRuns<T extends RunLike>(runs: readonly T[], column: string, descending: boolean): T[] {
  const dir = descending ? -1 : 1;
  return [...runs].sort((a, b) => {
    const [ra, va] = rank(cellValue(a, column));
    const [rb, vb] = rank(cellValue(b, column));
    if (ra !== rb) return ra - rb;
    if (ra !== 0) return 0;
    if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * dir;
    return String(va).localeCompare(String(vb), undefined, { numeric: true }) * dir;
  });
}

/** Runs whose name, id or tags contain `query` (case-insensitive). */
export function filterRuns<T extends RunLike>(runs: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...runs];
  return runs.filter(
    (r) =>
      r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q) || r.tags.some((t) => t.toLowerCase().includes(q)),
  );
}

/** Pinned runs first, each part keeping its order (so pins stay on top whatever the sort). */
export function pinFirst<T extends { id: string }>(runs: readonly T[], pinned: Readonly<Record<string, true>>): T[] {
  const top: T[] = [];
  const rest: T[] = [];
  for (const r of runs) (pinned[r.id] ? top : rest).push(r);
  return [...top, ...rest];
}
