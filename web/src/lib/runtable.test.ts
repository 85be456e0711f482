import { describe, expect, it } from 'vitest';
import { cellValue, dynamicColumns, filterRuns, pinFirst, sortRuns, type RunLike } from './runtable';

const run = (id: string, extra: Partial<RunLike> = {}): RunLike => ({
  id, name: id, state: 'finished', created_at: 0, runtime: null, tags: [], config: {}, summary: {}, ...extra,
});

describe('dynamicColumns', () => {
  it('collects config and summary keys, private ones left out', () => {
    const cols = dynamicColumns([
      run('a', { config: { lr: 0.1, _wandb: {} }, summary: { loss: 1, _step: 3 } }),
      run('b', { config: { bs: 32 } }),
    ]);
    expect(cols.map((c) => c.id)).toEqual(['config.bs', 'config.lr', 'summary.loss']);
  });
});

describe('cellValue', () => {
  it('unwraps wandb config values', () => {
    expect(cellValue(run('a', { config: { lr: { value: 0.3, desc: null } } }), 'config.lr')).toBe(0.3);
    expect(cellValue(run('a', { summary: { acc: 0.9 } }), 'summary.acc')).toBe(0.9);
  });
});

describe('sortRuns', () => {
  const runs = [
    run('a', { summary: { loss: 3 } }),
    run('b', { summary: {} }),
    run('c', { summary: { loss: 1 } }),
    run('d', { summary: { loss: 20 } }),
  ];
  it('sorts numbers both ways, missing last', () => {
    expect(sortRuns(runs, 'summary.loss', false).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(sortRuns(runs, 'summary.loss', true).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b']);
  });
  it('sorts names naturally', () => {
    const named = ['run-10', 'run-2', 'run-1'].map((n) => run(n));
    expect(sortRuns(named, 'name', false).map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-10']);
  });
});

describe('filterRuns', () => {
  it('matches names and tags', () => {
    const runs = [run('a', { name: 'baseline' }), run('b', { tags: ['Best'] })];
    expect(filterRuns(runs, 'best').map((r) => r.id)).toEqual(['b']);
    expect(filterRuns(runs, '').length).toBe(2);
  });
});

describe('pinFirst', () => {
  it('puts pinned runs on top, keeping the sort within pinned and unpinned runs', () => {
    const runs = [run('a', { runtime: 1 }), run('b', { runtime: 2 }), run('c', { runtime: 3 }), run('d', { runtime: 4 })];
    const pinned = { c: true, a: true } as const;
    expect(pinFirst(sortRuns(runs, 'runtime', false), pinned).map((r) => r.id)).toEqual(['a', 'c', 'b', 'd']);
    expect(pinFirst(sortRuns(runs, 'runtime', true), pinned).map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(pinFirst(runs, {}).map((r) => r.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('dynamicColumns at scale', () => {
  it('keeps every column, with no cap', () => {
    const config = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`c${i}`, i]));
    const summary = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`s${i}`, i]));
    expect(dynamicColumns([run('a', { config, summary })])).toHaveLength(800);
  });
});
