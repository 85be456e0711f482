/** The automatic workspace: keys grouped into sections by the text before the first `/`. */

import { isSystemKey } from './system';

export const DEFAULT_SECTION = 'Charts';

export interface KeyInfo {
  name: string;
  kind: string;
  runs: number;
  max_count: number;
  hidden: boolean;
  step_metric: string | null;
  /** The `_type` of the key's media references (`image-file`, `histogram`...), null for plain values. */
  media?: string | null;
}

export type PanelKind = 'line' | 'bar' | 'image' | 'histogram' | 'table' | 'media';

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

/** The panel of a media `_type`; null for a type the dashboard cannot show. */
export function mediaPanelKind(media: string | null | undefined): PanelKind | null {
  switch (media) {
    case 'image-file':
    case 'images/separated':
      return 'image';
    case 'histogram':
      return 'histogram';
    case 'table-file':
      return 'table';
    case 'audio-file':
    case 'audio':
    case 'video-file':
    case 'videos':
    case 'html-file':
      return 'media';
    default:
      return null;
  }
}

/** A scalar key logged at most once per run is compared as a bar chart, otherwise drawn as a
 * line chart; a media key gets its media panel. */
export function panelKind(k: KeyInfo): PanelKind {
  if (k.kind !== 'scalar') return mediaPanelKind(k.media) ?? 'line';
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

/** Sections of the non-hidden scalar and media keys matching `query`: the default section
 * first, then by name (histograms of `watch()` land in "parameters" and "gradients"). Keys in
 * `exclude` (the tables of custom charts, drawn in their own section) are left out, and so are
 * system metrics (stepped by seconds, drawn against time in the run page's System section). */
export function buildSections(keys: readonly KeyInfo[], query = '', exclude: ReadonlySet<string> = new Set()): Section[] {
  const bySection = new Map<string, PanelSpec[]>();
  for (const k of keys) {
    const shown = k.kind === 'scalar' || mediaPanelKind(k.media) !== null;
    if (!shown || k.hidden || exclude.has(k.name) || isSystemKey(k.name) || !keyMatches(k.name, query)) continue;
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
