/** The automatic workspace: keys grouped into sections by the text before the first `/`. */

export const DEFAULT_SECTION = 'Charts';

export interface KeyInfo {
  name: string;
  kind: string;
  runs: number;
  max_count: number;
  hidden: boolean;
  step_metric: string | null;
}

export type PanelKind = 'line' | 'bar';

export interface PanelSpec {
  key: string;
  kind: PanelKind;
  stepMetric: string | null;
}

export interface Section {
  name: string;
  panels: PanelSpec[];
}

export function sectionOf(key: string): string {
  const i = key.indexOf('/');
  return i > 0 ? key.slice(0, i) : DEFAULT_SECTION;
}

/** A key logged at most once per run is compared as a bar chart; otherwise a line chart. */
export function panelKind(k: KeyInfo): PanelKind {
  return k.max_count <= 1 ? 'bar' : 'line';
}

/** Case-insensitive substring match; a search of `/re/` is a regular expression. */
export function keyMatches(key: string, query: string): boolean {
  const q = query.trim();
  if (!q) return true;
  if (q.length > 2 && q.startsWith('/') && q.endsWith('/')) {
    try {
      return new RegExp(q.slice(1, -1), 'i').test(key);
    } catch {
      return false;
    }
  }
  return key.toLowerCase().includes(q.toLowerCase());
}

/** Sections of scalar, non-hidden keys matching `query`: the default section first, then by name. */
export function buildSections(keys: readonly KeyInfo[], query = ''): Section[] {
  const bySection = new Map<string, PanelSpec[]>();
  for (const k of keys) {
    if (k.kind !== 'scalar' || k.hidden || !keyMatches(k.name, query)) continue;
    const s = sectionOf(k.name);
    if (!bySection.has(s)) bySection.set(s, []);
    bySection.get(s)!.push({ key: k.name, kind: panelKind(k), stepMetric: k.step_metric });
  }
  const names = [...bySection.keys()].sort((a, b) =>
    a === DEFAULT_SECTION ? -1 : b === DEFAULT_SECTION ? 1 : a.localeCompare(b),
  );
  return names.map((name) => ({
    name,
    panels: bySection.get(name)!.sort((a, b) => a.key.localeCompare(b.key)),
  }));
}
