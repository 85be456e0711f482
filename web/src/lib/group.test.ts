import { describe, expect, it } from 'vitest';
import { aggregate, band, groupRuns, groupValue, NO_VALUE } from './group';

const run = (id: string, group: string | null, job_type: string | null, config: Record<string, unknown> = {}) => ({
  id, group, job_type, config,
});

describe('groupRuns', () => {
  const runs = [
    run('a', 'cnn', 'train', { lr: { value: 0.1 }, opt: 'adam' }),
    run('b', 'mlp', 'train', { lr: 0.01 }),
    run('c', 'cnn', null, { lr: 0.1 }),
    run('d', null, 'eval'),
  ];
  it('splits by group, job type or a config key, in order of first appearance', () => {
    expect(groupRuns(runs, '')).toEqual([]);
    expect(groupRuns(runs, 'group').map((g) => [g.label, g.runIds])).toEqual([
      ['cnn', ['a', 'c']], ['mlp', ['b']], [NO_VALUE, ['d']],
    ]);
    expect(groupRuns(runs, 'job_type').map((g) => [g.label, g.runIds])).toEqual([
      ['train', ['a', 'b']], [NO_VALUE, ['c']], ['eval', ['d']],
    ]);
    expect(groupRuns(runs, 'config.lr').map((g) => [g.label, g.runIds])).toEqual([
      ['0.1', ['a', 'c']], ['0.01', ['b']], [NO_VALUE, ['d']],
    ]);
    expect(groupValue(runs[0], 'config.opt')).toBe('adam');
  });
  it('gives every group its own colour', () => {
    const colors = groupRuns(runs, 'group').map((g) => g.color);
    expect(new Set(colors).size).toBe(3);
    expect(colors.every((c) => /^#[0-9a-f]{6}$/.test(c))).toBe(true);
  });
});

describe('aggregate', () => {
  it('averages runs logged at the same x', () => {
    const a = aggregate([
      { x: [0, 1, 2], y: [1, 2, 3] },
      { x: [0, 1, 2], y: [3, 4, 5] },
    ]);
    expect(a.x).toEqual([0, 1, 2]);
    expect(a.mean).toEqual([2, 3, 4]);
    expect(a.min).toEqual([1, 2, 3]);
    expect(a.max).toEqual([3, 4, 5]);
    expect(a.std).toEqual([1, 1, 1]);
    expect(a.count).toEqual([2, 2, 2]);
  });

  it('aligns runs with different x by bucket, placed at the bucket x', () => {
    // Width 4: buckets [0,3], [4,7], [8,11]; the server reports each bucket's last step.
    const a = aggregate(
      [
        { x: [3, 7, 11], y: [1, 2, 3] },
        { x: [2, 6, 10], y: [3, 4, 5] },
      ],
      4,
    );
    expect(a.x).toEqual([3, 7, 11]);
    expect(a.mean).toEqual([2, 3, 4]);
    expect(a.count).toEqual([2, 2, 2]);
  });

  it('averages a step only over the runs that have it', () => {
    const a = aggregate([
      { x: [0, 1, 2, 3], y: [1, 1, 1, 1] },
      { x: [0, 1], y: [3, 3] },
    ]);
    expect(a.mean).toEqual([2, 2, 1, 1]);
    expect(a.count).toEqual([2, 2, 1, 1]);
    expect(a.std).toEqual([1, 1, 0, 0]);
  });

  it('skips non-finite values and x', () => {
    const a = aggregate([
      { x: [0, 1, NaN], y: [NaN, 2, 9] },
      { x: [0, 1], y: [4, Infinity] },
    ]);
    expect(a.x).toEqual([0, 1]);
    expect(a.mean).toEqual([4, 2]);
    expect(a.count).toEqual([1, 1]);
    const none = aggregate([{ x: [5], y: [NaN] }]);
    expect(none.count).toEqual([0]);
    expect(none.mean[0]).toBeNaN();
  });

  it('gives min/max or ±1 std bands', () => {
    const a = aggregate([
      { x: [0], y: [1] },
      { x: [0], y: [5] },
      { x: [0], y: [3] },
    ]);
    expect(band(a, 'minmax')).toEqual({ lo: [1], hi: [5] });
    const s = band(a, 'std');
    const sd = Math.sqrt(8 / 3);
    expect(s.lo[0]).toBeCloseTo(3 - sd);
    expect(s.hi[0]).toBeCloseTo(3 + sd);
  });
});
