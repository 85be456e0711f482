/** The only module that talks to the server (docs/http-api.md). */

import type { ChartTable, CustomChart } from '../lib/customCharts';
import type { KeyInfo } from '../lib/sections';
import type { SeriesData } from '../lib/series';
import { decodeSeries } from './series';

export interface Project {
  entity: string;
  name: string;
  run_count: number;
  created_at: number;
  updated_at: number;
  /** Hidden from the projects page unless "Show archived" is on. */
  archived?: boolean;
  /** 'private' (its entity only) or 'shared' (readable by every signed-in user). */
  visibility?: string;
}

export interface Run {
  id: string;
  name: string;
  state: string;
  created_at: number;
  heartbeat_at: number | null;
  finished_at: number | null;
  runtime: number | null;
  exit_code: number | null;
  group: string | null;
  job_type: string | null;
  tags: string[];
  notes: string | null;
  host: string | null;
  program: string | null;
  args: string[] | null;
  sweep_id: string | null;
  /** Why a sweep's hyperband stopped the run (state `killed`); null otherwise. */
  stop_reason?: string | null;
  last_step: number | null;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  updated_at: number;
  /** Hidden from the workspace and the runs table unless "Show archived" is on. */
  archived?: boolean;
}

export interface RunDetail extends Run {
  metrics?: unknown;
  keys?: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const BASE = 'api/v1';

/** The session's CSRF token, sent with every write; never the API key (that stays in the
 * sign-in form's POST body). Kept per tab in sessionStorage so a reload keeps it. */
const CSRF_STORAGE = 'trackboard.csrf';
let csrfToken: string | null = tabStorage()?.getItem(CSRF_STORAGE) ?? null;
let onUnauthorized: (() => void) | null = null;

function tabStorage(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null; // storage blocked: the token lives in memory only
  }
}

function setCsrf(token: string | null): void {
  csrfToken = token;
  if (token) tabStorage()?.setItem(CSRF_STORAGE, token);
  else tabStorage()?.removeItem(CSRF_STORAGE);
}

/** Called on any 401: the app shows the sign-in page. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

async function request(path: string, init?: RequestInit, signal?: AbortSignal): Promise<Response> {
  const method = (init?.method ?? 'GET').toUpperCase();
  const headers = new Headers(init?.headers);
  if (csrfToken && method !== 'GET' && method !== 'HEAD') headers.set('X-CSRF-Token', csrfToken);
  const res = await fetch(`${BASE}${path}`, { ...init, headers, signal });
  if (res.status === 401 && onUnauthorized) onUnauthorized();
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      const body = (await res.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, message);
  }
  return res;
}

async function json<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await (await request(path, undefined, signal)).json()) as T;
}

export interface Me {
  user: string | null;
  auth: boolean;
  entities?: string[];
  admin?: boolean;
  csrf_token?: string;
}

/** Who is signed in; ``auth: false`` when the server needs no sign-in. */
export async function getMe(signal?: AbortSignal): Promise<Me> {
  const me = await json<Me>('/me', signal);
  if (me.csrf_token) setCsrf(me.csrf_token);
  return me;
}

/** Trade an API key for the session cookie (HttpOnly: the page never sees it). */
export async function signIn(key: string): Promise<Me> {
  const res = await request('/sessions', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ key }),
  });
  const body = (await res.json()) as { user: string; csrf_token: string; entities: string[] };
  setCsrf(body.csrf_token);
  return { user: body.user, auth: true, entities: body.entities };
}

export async function signOut(): Promise<void> {
  try {
    await request('/sessions', { method: 'DELETE' });
  } finally {
    setCsrf(null);
  }
}

const seg = encodeURIComponent;
const projectPath = (entity: string, project: string) => `/projects/${seg(entity)}/${seg(project)}`;

export async function listProjects(signal?: AbortSignal): Promise<Project[]> {
  return (await json<{ projects: Project[] }>('/projects', signal)).projects;
}

export async function listRuns(
  entity: string,
  project: string,
  signal?: AbortSignal,
  filter?: string,
): Promise<{ runs: Run[]; cursor: number }> {
  const q = filter ? `?filter=${seg(filter)}` : '';
  return json(`${projectPath(entity, project)}/runs${q}`, signal);
}

export async function getRun(entity: string, project: string, runId: string, signal?: AbortSignal): Promise<RunDetail> {
  return json(`${projectPath(entity, project)}/runs/${seg(runId)}`, signal);
}

export interface LogLine {
  n: number;
  time: number;
  stream: 'stdout' | 'stderr';
  /** As printed: ANSI escape sequences kept. */
  text: string;
}

/** A page of a run's console lines; with `q`, of the lines containing it (case-insensitive). */
export async function getLogs(
  entity: string,
  project: string,
  runId: string,
  page: { offset: number; limit: number; q?: string },
  signal?: AbortSignal,
): Promise<{ lines: LogLine[]; total: number }> {
  const q = page.q ? `&q=${seg(page.q)}` : '';
  return json(`${projectPath(entity, project)}/runs/${seg(runId)}/logs?offset=${page.offset}&limit=${page.limit}${q}`, signal);
}

export async function changes(entity: string, project: string, since: number, signal?: AbortSignal): Promise<{ runs: Run[]; cursor: number }> {
  return json(`${projectPath(entity, project)}/changes?since=${since}`, signal);
}

export async function listKeys(entity: string, project: string, runIds?: readonly string[], signal?: AbortSignal): Promise<KeyInfo[]> {
  const q = runIds ? `?runs=${seg(runIds.join(','))}` : '';
  return (await json<{ keys: KeyInfo[] }>(`${projectPath(entity, project)}/keys${q}`, signal)).keys;
}

export interface SeriesQuery {
  key: string;
  runs: readonly string[];
  buckets: number;
  minStep?: number;
  maxStep?: number;
  xAxis?: string;
}

export async function getSeries(entity: string, project: string, q: SeriesQuery, signal?: AbortSignal): Promise<SeriesData> {
  const p = new URLSearchParams({ key: q.key, runs: q.runs.join(','), buckets: String(Math.max(1, Math.round(q.buckets))) });
  if (q.minStep !== undefined) p.set('min_step', String(Math.floor(q.minStep)));
  if (q.maxStep !== undefined) p.set('max_step', String(Math.ceil(q.maxStep)));
  if (q.xAxis && q.xAxis !== '_step') p.set('x_axis', q.xAxis);
  const res = await request(`${projectPath(entity, project)}/series?${p}`, undefined, signal);
  return decodeSeries(await res.arrayBuffer());
}

export type HistoryRow = Record<string, unknown>;

export async function getHistory(
  entity: string,
  project: string,
  runId: string,
  keys: readonly string[],
  range: { minStep?: number; maxStep?: number; limit?: number } = {},
  signal?: AbortSignal,
): Promise<HistoryRow[]> {
  const p = new URLSearchParams({ keys: keys.join(',') });
  if (range.minStep !== undefined) p.set('min_step', String(range.minStep));
  if (range.maxStep !== undefined) p.set('max_step', String(range.maxStep));
  if (range.limit !== undefined) p.set('limit', String(range.limit));
  return (await json<{ rows: HistoryRow[] }>(`${projectPath(entity, project)}/runs/${seg(runId)}/history?${p}`, signal)).rows;
}

/** The fields of a run the dashboard may edit (`PATCH .../runs/{id}`). */
export interface RunEdit {
  name?: string;
  tags?: string[];
  notes?: string | null;
  archived?: boolean;
}

export async function updateRun(entity: string, project: string, runId: string, fields: RunEdit): Promise<Run> {
  const res = await request(`${projectPath(entity, project)}/runs/${seg(runId)}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(fields),
  });
  return (await res.json()) as Run;
}

export async function deleteRun(entity: string, project: string, runId: string): Promise<void> {
  await request(`${projectPath(entity, project)}/runs/${seg(runId)}`, { method: 'DELETE' });
}

/** Who reads a project: its entity only (`private`), or every signed-in user too (`shared`). */
export type Visibility = 'private' | 'shared';

/** Archive or unarchive a project, or share it or make it private (`PATCH .../projects/{entity}/{project}`). */
export async function updateProject(
  entity: string,
  project: string,
  fields: { archived?: boolean; visibility?: Visibility },
): Promise<Project> {
  const res = await request(projectPath(entity, project), {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(fields),
  });
  return (await res.json()) as Project;
}

/** Deletes the project, all its runs and saved views (and, under `trackboard ui`, its folder). */
export async function deleteProject(entity: string, project: string): Promise<void> {
  await request(projectPath(entity, project), { method: 'DELETE' });
}

/** A saved workspace view; `settings` is the dashboard's own JSON (see lib/savedView). */
export interface ViewInfo {
  name: string;
  default: boolean;
  created_at: number;
  updated_at: number;
}

export interface SavedView extends ViewInfo {
  settings: Record<string, unknown>;
}

const viewPath = (entity: string, project: string, name: string) => `${projectPath(entity, project)}/views/${seg(name)}`;

export async function listViews(entity: string, project: string, signal?: AbortSignal): Promise<{ views: ViewInfo[]; default: string | null }> {
  return json(`${projectPath(entity, project)}/views`, signal);
}

export async function getView(entity: string, project: string, name: string, signal?: AbortSignal): Promise<SavedView> {
  return json(viewPath(entity, project, name), signal);
}

async function sendView(method: string, path: string, body: unknown): Promise<SavedView> {
  const res = await request(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as SavedView;
}

/** Creates the view or replaces its settings; `isDefault` (un)marks it as the project's default. */
export async function saveView(entity: string, project: string, name: string, settings: Record<string, unknown>, isDefault?: boolean): Promise<SavedView> {
  return sendView('PUT', viewPath(entity, project, name), isDefault === undefined ? { settings } : { settings, default: isDefault });
}

export async function updateView(entity: string, project: string, name: string, fields: { name?: string; default?: boolean }): Promise<SavedView> {
  return sendView('PATCH', viewPath(entity, project, name), fields);
}

export async function deleteView(entity: string, project: string, name: string): Promise<void> {
  await request(viewPath(entity, project, name), { method: 'DELETE' });
}

// ------------------------------------------------------------------ media and files

/** One file a media reference points at (docs/http-api.md, "Media at a step"). */
export interface MediaItem {
  kind: 'image' | 'audio' | 'video' | 'html' | 'table';
  path: string;
  caption?: string;
  width?: number;
  height?: number;
  format?: string;
  ncols?: number;
  nrows?: number;
}

export interface RunMedia {
  id: string;
  steps: number[];
  step: number | null;
  type: string | null;
  items: MediaItem[];
}

export interface MediaAtStep {
  key: string;
  step: number | null;
  steps: number[];
  runs: RunMedia[];
}

const runPath = (entity: string, project: string, runId: string) => `${projectPath(entity, project)}/runs/${seg(runId)}`;
const filePath = (path: string) => path.split('/').map(seg).join('/');

/** The URL of a run's file (for `src` and `href`; the server serves it with nosniff). */
export function fileUrl(entity: string, project: string, runId: string, path: string): string {
  return `${BASE}${runPath(entity, project, runId)}/files/${filePath(path)}`;
}

/** The URL of a server-made PNG thumbnail of an image, at most `size` pixels on its longer side. */
export function thumbnailUrl(entity: string, project: string, runId: string, path: string, size: number): string {
  return `${BASE}${runPath(entity, project, runId)}/thumbnails/${filePath(path)}?size=${Math.round(size)}`;
}

/** Per run, the media under `key` at `step` or just before it (the last when `step` is null). */
export async function getMedia(entity: string, project: string, key: string, runIds: readonly string[], step: number | null, signal?: AbortSignal): Promise<MediaAtStep> {
  const p = new URLSearchParams({ key, runs: runIds.join(',') });
  if (step !== null) p.set('step', String(step));
  return json(`${projectPath(entity, project)}/media?${p}`, signal);
}

export interface RunHistograms {
  id: string;
  steps: number[];
  /** One column of counts per step, over the common `bins` grid. */
  counts: number[][];
  total_steps: number;
  max_count: number;
}

export interface HistogramsOverTime {
  key: string;
  bins: number[];
  runs: RunHistograms[];
}

export async function getHistograms(entity: string, project: string, key: string, runIds: readonly string[], opts: { bins?: number; maxSteps?: number } = {}, signal?: AbortSignal): Promise<HistogramsOverTime> {
  const p = new URLSearchParams({ key, runs: runIds.join(',') });
  if (opts.bins !== undefined) p.set('bins', String(opts.bins));
  if (opts.maxSteps !== undefined) p.set('max_steps', String(opts.maxSteps));
  return json(`${projectPath(entity, project)}/histograms?${p}`, signal);
}

export interface TablePage {
  columns: string[];
  nrows: number;
  total: number;
  offset: number;
  rows: { index: number; cells: unknown[] }[];
}

export interface TableQuery {
  offset: number;
  limit: number;
  sort?: string | null;
  desc?: boolean;
  filter?: string;
}

export async function getTablePage(entity: string, project: string, runId: string, path: string, q: TableQuery, signal?: AbortSignal): Promise<TablePage> {
  const p = new URLSearchParams({ path, offset: String(q.offset), limit: String(q.limit) });
  if (q.sort) p.set('sort', q.sort);
  if (q.desc) p.set('desc', 'true');
  if (q.filter) p.set('filter', q.filter);
  return json(`${runPath(entity, project, runId)}/table?${p}`, signal);
}

export interface RunFile {
  path: string;
  size: number;
  modified: number;
}

export async function listRunFiles(entity: string, project: string, runId: string, signal?: AbortSignal): Promise<RunFile[]> {
  return (await json<{ files: RunFile[] }>(`${runPath(entity, project, runId)}/files`, signal)).files;
}

/** The custom charts the runs logged (every run's when `runIds` is null). */
export async function listCharts(entity: string, project: string, runIds: readonly string[] | null, signal?: AbortSignal): Promise<CustomChart[]> {
  const p = new URLSearchParams(runIds ? { runs: runIds.join(',') } : {});
  return (await json<{ charts: CustomChart[] }>(`${projectPath(entity, project)}/charts?${p}`, signal)).charts;
}

export async function getChartTable(entity: string, project: string, runId: string, path: string, signal?: AbortSignal): Promise<ChartTable> {
  return json(`${runPath(entity, project, runId)}/chart-table?${new URLSearchParams({ path })}`, signal);
}

// ------------------------------------------------------------------ image overlays

/** A mask group of an image item: a greyscale PNG of class ids, and the classes' names. */
export interface MaskOverlay {
  group: string;
  path: string;
  class_labels: Record<string, string>;
}

/** A box group of an image item: a JSON file of boxes (parsed by `lib/overlays.ts`). */
export interface BoxOverlay {
  group: string;
  path: string;
}

/** Image items carry their overlays when they have any (docs/http-api.md, "Media at a step"). */
export interface MediaItem {
  masks?: MaskOverlay[];
  boxes?: BoxOverlay[];
}

/** A run's JSON file, as parsed JSON (the caller checks its shape). */
export async function getFileJson(entity: string, project: string, runId: string, path: string, signal?: AbortSignal): Promise<unknown> {
  return json(`${runPath(entity, project, runId)}/files/${filePath(path)}`, signal);
}

// -- sweeps (docs/http-api.md "Sweeps") ---------------------------------------------------

export type SweepState = 'running' | 'paused' | 'finished' | 'cancelled';

export interface SweepAxis {
  name: string;
  distribution: string;
  scale: 'linear' | 'log' | 'categorical';
}

export interface SweepSummary {
  id: string;
  name: string | null;
  state: SweepState;
  method: string;
  metric: { name: string; goal: 'minimize' | 'maximize' } | null;
  created_at: number;
  updated_at: number;
  run_count: number;
  claims: Record<string, number>;
}

export interface SweepRun {
  run_id: string;
  name: string | null;
  state: string | null;
  claim_state: string | null;
  created_at: number;
  params: Record<string, unknown>;
  metric: number | null;
  /** Why hyperband stopped the run, or null. */
  stop_reason: string | null;
}

export interface SweepDetail extends SweepSummary {
  config: Record<string, unknown>;
  config_text: string;
  /** What is wrong with a stored config that no longer parses; null normally. */
  config_error: string | null;
  axes: SweepAxis[];
  runs: SweepRun[];
}

export interface SweepImportance {
  metric: SweepSummary['metric'];
  runs: number;
  parameters: { name: string; correlation: number | null; importance: number | null }[];
}

const sweepPath = (entity: string, project: string, sweepId: string) => `${projectPath(entity, project)}/sweeps/${seg(sweepId)}`;

export async function listSweeps(entity: string, project: string, signal?: AbortSignal): Promise<SweepSummary[]> {
  return (await json<{ sweeps: SweepSummary[] }>(`${projectPath(entity, project)}/sweeps`, signal)).sweeps;
}

export async function getSweep(entity: string, project: string, sweepId: string, signal?: AbortSignal): Promise<SweepDetail> {
  return json(sweepPath(entity, project, sweepId), signal);
}

export async function getSweepImportance(entity: string, project: string, sweepId: string, signal?: AbortSignal): Promise<SweepImportance> {
  return json(`${sweepPath(entity, project, sweepId)}/importance`, signal);
}

/** Pause (`paused`), resume (`running`), finish or cancel a sweep. */
export async function setSweepState(entity: string, project: string, sweepId: string, state: SweepState): Promise<SweepSummary> {
  const res = await request(sweepPath(entity, project, sweepId), {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ state }),
  });
  return (await res.json()) as SweepSummary;
}
