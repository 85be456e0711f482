import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProjectState } from './project.svelte';

const run = (id: string, archived = false) => ({
  id, name: id, state: 'finished', created_at: 1, heartbeat_at: null, finished_at: null, runtime: null,
  exit_code: null, group: null, job_type: null, tags: [], notes: null, host: null, program: null,
  args: null, sweep_id: null, last_step: null, config: {}, summary: {}, updated_at: 1, archived,
});

describe('ProjectState layout and archived runs', () => {
  let storage: Map<string, string>;

  beforeEach(() => {
    storage = new Map();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => storage.set(k, v),
    });
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ keys: [] }), { status: 200 }));
  });

  afterEach(() => vi.unstubAllGlobals());

  it('is fresh only when the browser kept nothing for the project', () => {
    expect(new ProjectState('me', 'p').fresh).toBe(true);
    storage.set('trackboard:me/p', '{}');
    expect(new ProjectState('me', 'p').fresh).toBe(false);
  });

  it('round-trips its layout through applyLayout and keeps it', () => {
    const a = new ProjectState('me', 'p');
    a.toggle('pinned', 'r1');
    a.setHeight('loss', 321);
    a.setShowArchived(true);
    const layout = JSON.parse(JSON.stringify(a.layout())) as Record<string, unknown>;

    const b = new ProjectState('me', 'q');
    b.applyLayout(layout);
    expect(b.pinned).toEqual({ r1: true });
    expect(b.heights).toEqual({ loss: 321 });
    expect(b.showArchived).toBe(true);
    expect(b.version).toBe(1);
    expect(JSON.parse(storage.get('trackboard:me/q') ?? '{}')).toEqual(layout);
  });

  it('starts malformed layout fields empty', () => {
    const ps = new ProjectState('me', 'p');
    ps.applyLayout({ hidden: 'all', pinned: [1], heights: null, showArchived: 'yes' });
    expect(ps.hidden).toEqual({});
    expect(ps.pinned).toEqual({});
    expect(ps.heights).toEqual({});
    expect(ps.showArchived).toBe(false);
  });

  it('leaves archived runs out unless they are shown', () => {
    const ps = new ProjectState('me', 'p');
    ps.runs = [run('a'), run('b', true)];
    expect(ps.activeRuns.map((r) => r.id)).toEqual(['a']);
    expect(ps.visibleRuns.map((r) => r.id)).toEqual(['a']);
    ps.setShowArchived(true);
    expect(ps.activeRuns.map((r) => r.id)).toEqual(['a', 'b']);
  });
});
