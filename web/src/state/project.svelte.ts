/** Live state of one project: its runs and keys, kept fresh by polling `/changes`. */

import { changes, listKeys, listRuns, type Run } from '../api/client';
import { assignColors } from '../lib/colors';
import { parseColumnPrefs, type ColumnPrefs } from '../lib/columnPrefs';
import type { KeyInfo } from '../lib/sections';

export const POLL_MS = 1000;
/** Every this many polls the whole run list is fetched again, to drop runs deleted elsewhere. */
export const RESYNC_POLLS = 5;

/** The colours the workspace last gave runs, so a run page opened from it matches. */
export const knownColors = new Map<string, string>();

export class ProjectState {
  runs = $state<Run[]>([]);
  keys = $state<KeyInfo[]>([]);
  /** Bumped whenever runs change, so panels refetch their series. */
  version = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  hidden = $state<Record<string, true>>({});
  collapsed = $state<Record<string, true>>({});
  logY = $state<Record<string, true>>({});
  logX = $state<Record<string, true>>({});
  /** Runs pinned to the top of the runs table. */
  pinned = $state<Record<string, true>>({});
  /** Chart heights (px) set by resizing a panel, by key. */
  heights = $state<Record<string, number>>({});
  /** More keys drawn on a line panel beside its own, by the panel's key. */
  extraKeys = $state<Record<string, string[]>>({});
  /** The runs table's hidden and front columns (the Columns menu). */
  columns = $state<ColumnPrefs>({ hidden: {}, front: [] });
  /** Archived runs are left out of the workspace and the runs table unless this is on. */
  showArchived = $state(false);
  /** True when this browser had no layout of its own for the project (a default view may apply). */
  fresh = false;

  /** The runs the workspace works with: all of them, or all but the archived ones. */
  readonly activeRuns = $derived(this.showArchived ? this.runs : this.runs.filter((r) => !r.archived));
  readonly visibleRuns = $derived(this.activeRuns.filter((r) => !this.hidden[r.id]));
  /** Stable run colours, assigned oldest first so the first runs never share one. */
  readonly colors = $derived(
    assignColors([...this.runs].sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id)).map((r) => r.id)),
  );

  private cursor = 0;
  private polls = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private abort = new AbortController();

  constructor(
    readonly entity: string,
    readonly project: string,
  ) {
    this.restore();
  }

  private get storageKey(): string {
    return `trackboard:${this.entity}/${this.project}`;
  }

  private restore(): void {
    try {
      const text = localStorage.getItem(this.storageKey);
      this.fresh = text === null;
      this.load(JSON.parse(text ?? '{}') as Record<string, unknown>);
    } catch {
      /* unreadable settings start fresh */
    }
  }

  /** Takes the layout fields of `layout` (what `layout()` returns); malformed ones start empty. */
  private load(layout: Record<string, unknown>): void {
    const saved = Object.fromEntries(
      Object.entries(layout).filter(([k, v]) => k === 'columns' || (typeof v === 'object' && v !== null && !Array.isArray(v))),
    ) as Partial<Pick<ProjectState, 'hidden' | 'collapsed' | 'logY' | 'logX' | 'pinned' | 'heights' | 'extraKeys' | 'columns'>>;
    this.hidden = saved.hidden ?? {};
    this.collapsed = saved.collapsed ?? {};
    this.logY = saved.logY ?? {};
    this.logX = saved.logX ?? {};
    this.pinned = saved.pinned ?? {};
    this.heights = saved.heights ?? {};
    this.extraKeys = saved.extraKeys ?? {};
    this.columns = parseColumnPrefs(saved.columns);
    this.showArchived = layout.showArchived === true;
  }

  /** What local storage keeps for the project, as a plain object (a saved view holds it too). */
  layout(): Record<string, unknown> {
    return { hidden: this.hidden, collapsed: this.collapsed, logY: this.logY, logX: this.logX, pinned: this.pinned, heights: this.heights, extraKeys: this.extraKeys, columns: this.columns, showArchived: this.showArchived };
  }

  save(): void {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.layout()));
    } catch {
      /* storage full or disabled */
    }
  }

  /** Replaces the layout with a saved view's and keeps it as this browser's own. */
  applyLayout(layout: Record<string, unknown>): void {
    this.load(layout);
    this.save();
    this.version++;
    void this.refreshKeys().catch(() => {});
  }

  /** Shows or hides archived runs in the workspace and the runs table. */
  setShowArchived(show: boolean): void {
    this.showArchived = show;
    this.save();
    void this.refreshKeys().catch(() => {});
  }

  toggle(map: 'hidden' | 'collapsed' | 'logY' | 'logX' | 'pinned', id: string): void {
    const next = { ...this[map] };
    if (next[id]) delete next[id];
    else next[id] = true;
    this[map] = next;
    this.save();
    if (map === 'hidden') void this.refreshKeys().catch(() => {});
  }

  /** A panel's chart height; null goes back to the default. */
  setHeight(key: string, height: number | null): void {
    const next = { ...this.heights };
    if (height === null) delete next[key];
    else next[key] = Math.round(height);
    this.heights = next;
    this.save();
  }

  /** The runs table's column settings, saved with the rest. */
  setColumns(prefs: ColumnPrefs): void {
    this.columns = prefs;
    this.save();
  }

  /** Draws `key` on the panel of `panel` too. */
  addKey(panel: string, key: string): void {
    const now = this.extraKeys[panel] ?? [];
    if (key === panel || now.includes(key)) return;
    this.extraKeys = { ...this.extraKeys, [panel]: [...now, key] };
    this.save();
  }

  removeKey(panel: string, key: string): void {
    const rest = (this.extraKeys[panel] ?? []).filter((k) => k !== key);
    const next = { ...this.extraKeys };
    if (rest.length) next[panel] = rest;
    else delete next[panel];
    this.extraKeys = next;
    this.save();
  }

  /** Puts an edited run in place of the one with its id. */
  replaceRun(run: Run): void {
    this.runs = this.runs.map((r) => (r.id === run.id ? run : r));
  }

  /** Drops a deleted run, with its hidden and pinned marks. */
  removeRun(id: string): void {
    this.runs = this.runs.filter((r) => r.id !== id);
    if (this.hidden[id] || this.pinned[id]) {
      const { [id]: _h, ...hidden } = this.hidden;
      const { [id]: _p, ...pinned } = this.pinned;
      this.hidden = hidden;
      this.pinned = pinned;
      this.save();
    }
    void this.refreshKeys().catch(() => {});
    this.version++;
  }

  setAllHidden(hidden: boolean): void {
    this.hidden = hidden ? Object.fromEntries(this.runs.map((r) => [r.id, true as const])) : {};
    this.save();
    void this.refreshKeys().catch(() => {});
  }

  async start(): Promise<void> {
    try {
      const { runs, cursor } = await listRuns(this.entity, this.project, this.abort.signal);
      this.runs = runs;
      this.cursor = cursor;
      await this.refreshKeys();
      this.loaded = true;
    } catch (e) {
      if (this.stopped) return;
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.schedule();
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  private onVisibility = (): void => {
    if (document.visibilityState === 'visible' && !this.timer && !this.stopped) void this.poll();
  };

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (document.visibilityState === 'visible') void this.poll();
    }, POLL_MS);
  }

  private async poll(): Promise<void> {
    try {
      if (++this.polls % RESYNC_POLLS === 0) await this.resync();
      else await this.pollChanges();
      this.error = null;
    } catch (e) {
      if (this.stopped) return;
      this.error = e instanceof Error ? e.message : String(e);
    }
    this.schedule();
  }

  /** The whole run list again: `/changes` does not report deleted runs. */
  private async resync(): Promise<void> {
    const res = await listRuns(this.entity, this.project, this.abort.signal);
    const before = new Map(this.runs.map((r) => [r.id, r.updated_at]));
    const changed = res.runs.length !== this.runs.length || res.runs.some((r) => before.get(r.id) !== r.updated_at);
    this.cursor = res.cursor;
    if (changed) {
      this.runs = [...res.runs].sort((a, b) => a.created_at - b.created_at);
      await this.refreshKeys();
      this.version++;
    }
  }

  private async pollChanges(): Promise<void> {
    const res = await changes(this.entity, this.project, this.cursor, this.abort.signal);
    this.cursor = res.cursor;
    if (res.runs.length) {
      const byId = new Map(this.runs.map((r) => [r.id, r]));
      for (const r of res.runs) byId.set(r.id, r);
      this.runs = [...byId.values()].sort((a, b) => a.created_at - b.created_at);
      await this.refreshKeys();
      this.version++;
    }
  }

  /**
   * Keys over the shown runs, so a key is a bar chart only while every shown run has at most one
   * value of it. With nothing shown the keys stay as they were; with very many shown runs
   * (a long URL) they are asked for over the whole project.
   */
  private async refreshKeys(): Promise<void> {
    const visible = this.runs.filter((r) => !this.hidden[r.id]).map((r) => r.id);
    if (!visible.length && this.runs.length) return;
    const subset = visible.length < this.runs.length && visible.length <= 500 ? visible : undefined;
    this.keys = await listKeys(this.entity, this.project, subset, this.abort.signal);
  }
}
