/** Hash routes (`#/...`) and the workspace settings carried in the URL. */

import type { BandKind } from './group';
import type { Smoothing, SmoothingKind } from './smoothing';
import { SMOOTHING_KINDS } from './smoothing';

export type Route =
  | { page: 'projects' }
  | { page: 'workspace'; entity: string; project: string }
  | { page: 'run'; entity: string; project: string; runId: string }
  | { page: 'sweeps'; entity: string; project: string }
  | { page: 'sweep'; entity: string; project: string; sweepId: string };

/** The x axes every run has; `_step` also means "the key's own step metric" when it has one. */
export const X_AXES: readonly { key: string; label: string }[] = [
  { key: '_step', label: 'Step' },
  { key: '_runtime', label: 'Relative time (s)' },
  { key: '_timestamp', label: 'Wall time' },
];

export interface ViewSettings {
  smoothing: Smoothing;
  search: string;
  xAxis: string;
  /** Group runs by '' (none), 'group', 'job_type' or 'config.<key>'. */
  groupBy: string;
  /** The band around a group's mean line. */
  band: BandKind;
  /** Draw the grouped runs faintly beside their group's aggregate. */
  groupRuns: boolean;
}

export const DEFAULT_SETTINGS: ViewSettings = {
  smoothing: { kind: 'ema', weight: 0 },
  search: '',
  xAxis: '_step',
  groupBy: '',
  band: 'minmax',
  groupRuns: false,
};

/** One of {@link X_AXES}, or any logged key (keys starting with `_` are the server's own). */
const validXAxis = (x: string | null): x is string =>
  !!x && x.length <= 256 && (X_AXES.some((a) => a.key === x) || !x.startsWith('_'));

const validGroupBy = (g: string | null): g is string =>
  g === 'group' || g === 'job_type' || (!!g && g.startsWith('config.') && g.length > 7);

export function parseHash(hash: string): { route: Route; settings: ViewSettings } {
  const raw = hash.replace(/^#/, '');
  const [path, query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let route: Route = { page: 'projects' };
  if (parts[0] === 'p' && parts.length >= 3) {
    const [, entity, project] = parts;
    if (parts[3] === 'runs' && parts[4]) route = { page: 'run', entity, project, runId: parts[4] };
    else if (parts[3] === 'sweeps' && parts[4]) route = { page: 'sweep', entity, project, sweepId: parts[4] };
    else if (parts[3] === 'sweeps') route = { page: 'sweeps', entity, project };
    else route = { page: 'workspace', entity, project };
  }
  return { route, settings: parseSettings(query) };
}

export function parseSettings(query: string): ViewSettings {
  const q = new URLSearchParams(query);
  const kinds = SMOOTHING_KINDS.map((k) => k.kind) as string[];
  const kind = q.get('smooth');
  const weight = Number(q.get('w'));
  return {
    smoothing: {
      kind: kind && kinds.includes(kind) ? (kind as SmoothingKind) : DEFAULT_SETTINGS.smoothing.kind,
      weight: q.has('w') && Number.isFinite(weight) ? weight : DEFAULT_SETTINGS.smoothing.weight,
    },
    search: q.get('q') ?? '',
    xAxis: validXAxis(q.get('x')) ? (q.get('x') as string) : DEFAULT_SETTINGS.xAxis,
    groupBy: validGroupBy(q.get('g')) ? (q.get('g') as string) : DEFAULT_SETTINGS.groupBy,
    band: q.get('band') === 'std' ? 'std' : DEFAULT_SETTINGS.band,
    groupRuns: q.get('gruns') === '1',
  };
}

export function routePath(route: Route): string {
  const enc = encodeURIComponent;
  if (route.page === 'projects') return '#/';
  const base = `#/p/${enc(route.entity)}/${enc(route.project)}`;
  if (route.page === 'run') return `${base}/runs/${enc(route.runId)}`;
  if (route.page === 'sweeps') return `${base}/sweeps`;
  if (route.page === 'sweep') return `${base}/sweeps/${enc(route.sweepId)}`;
  return base;
}

/** The hash for a route; settings that differ from the defaults are kept in the query. */
export function buildHash(route: Route, settings: ViewSettings = DEFAULT_SETTINGS): string {
  const q = new URLSearchParams();
  const d = DEFAULT_SETTINGS;
  if (settings.smoothing.kind !== d.smoothing.kind || settings.smoothing.weight !== d.smoothing.weight) {
    q.set('smooth', settings.smoothing.kind);
    q.set('w', String(settings.smoothing.weight));
  }
  if (settings.search) q.set('q', settings.search);
  if (settings.xAxis !== d.xAxis) q.set('x', settings.xAxis);
  if (settings.groupBy) q.set('g', settings.groupBy);
  if (settings.band !== d.band) q.set('band', settings.band);
  if (settings.groupRuns) q.set('gruns', '1');
  const s = q.toString();
  return routePath(route) + (s ? `?${s}` : '');
}
