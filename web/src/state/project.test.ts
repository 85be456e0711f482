import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { POLL_MS, RESYNC_POLLS, ProjectState } from './project.svelte';

const run = (id: string, created_at: number) => ({
  id, name: id, state: 'running', created_at, heartbeat_at: null, finished_at: null, runtime: null,
  exit_code: null, group: null, job_type: null, tags: [], notes: null, host: null, program: null,
  args: null, sweep_id: null, last_step: null, config: {}, summary: {}, updated_at: created_at,
});

function respond(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
}

describe('ProjectState', () => {
  let calls: string[];
  let changes: unknown[];
  let listed: unknown[];

  beforeEach(() => {
    vi.useFakeTimers();
    calls = [];
    changes = [];
    listed = [];
    const storage = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => storage.get(k) ?? null,
      setItem: (k: string, v: string) => storage.set(k, v),
    });
    vi.stubGlobal('document', {
      visibilityState: 'visible',
      addEventListener: () => {},
      removeEventListener: () => {},
    });
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      if (url.includes('/runs')) return respond(listed.shift() ?? { runs: [run('a', 1)], cursor: 5 });
      if (url.includes('/keys')) return respond({ keys: [] });
      if (url.includes('/changes')) return respond(changes.shift() ?? { runs: [], cursor: 5 });
      return new Response('', { status: 404 });
    });
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('loads runs, then merges changed runs from polling', async () => {
    const ps = new ProjectState('me', 'proj');
    await ps.start();
    expect(ps.runs.map((r) => r.id)).toEqual(['a']);
    expect(ps.loaded).toBe(true);

    changes.push({ runs: [run('b', 2), { ...run('a', 1), state: 'finished' }], cursor: 9 });
    await vi.advanceTimersByTimeAsync(POLL_MS + 10);
    flushSync();
    expect(ps.runs.map((r) => [r.id, r.state])).toEqual([['a', 'finished'], ['b', 'running']]);
    expect(ps.version).toBe(1);
    expect(calls.some((u) => u.includes('/changes?since=5'))).toBe(true);

    await vi.advanceTimersByTimeAsync(POLL_MS + 10);
    expect(calls.some((u) => u.includes('/changes?since=9'))).toBe(true);
    ps.stop();
  });

  it('drops runs that a periodic full refetch no longer lists', async () => {
    listed.push({ runs: [run('a', 1), run('b', 2)], cursor: 5 });
    const ps = new ProjectState('me', 'proj');
    await ps.start();
    ps.toggle('pinned', 'b');
    expect(ps.runs.map((r) => r.id)).toEqual(['a', 'b']);
    listed.push({ runs: [run('b', 2)], cursor: 12 });
    await vi.advanceTimersByTimeAsync(RESYNC_POLLS * (POLL_MS + 10));
    flushSync();
    expect(ps.runs.map((r) => r.id)).toEqual(['b']);
    expect(ps.version).toBe(1);
    await vi.advanceTimersByTimeAsync(POLL_MS + 10);
    expect(calls.some((u) => u.includes('/changes?since=12'))).toBe(true);

    ps.removeRun('b');
    expect(ps.runs).toEqual([]);
    expect(ps.pinned).toEqual({});
    ps.stop();
  });

  it('keeps hidden runs, collapsed sections, log axes, pins and chart heights across instances', async () => {
    const ps = new ProjectState('me', 'proj');
    ps.toggle('collapsed', 'train');
    ps.toggle('logY', 'loss');
    ps.toggle('logX', 'acc');
    ps.toggle('pinned', 'a');
    ps.toggle('pinned', 'b');
    ps.toggle('pinned', 'a');
    ps.setHeight('loss', 333.4);
    ps.setHeight('acc', 300);
    ps.setHeight('acc', null);
    ps.addKey('loss', 'val_loss');
    ps.addKey('loss', 'val_loss');
    ps.addKey('loss', 'loss');
    ps.addKey('acc', 'x');
    ps.removeKey('acc', 'x');
    const again = new ProjectState('me', 'proj');
    expect(again.collapsed).toEqual({ train: true });
    expect(again.logY).toEqual({ loss: true });
    expect(again.logX).toEqual({ acc: true });
    expect(again.pinned).toEqual({ b: true });
    expect(again.heights).toEqual({ loss: 333 });
    expect(again.extraKeys).toEqual({ loss: ['val_loss'] });
    ps.stop();
    again.stop();
  });

  it('keeps the runs table column settings across instances', () => {
    const ps = new ProjectState('me', 'cols');
    ps.setColumns({ hidden: { state: true }, front: ['summary.acc'] });
    const again = new ProjectState('me', 'cols');
    expect(again.columns).toEqual({ hidden: { state: true }, front: ['summary.acc'] });
    ps.stop();
    again.stop();
  });
});
