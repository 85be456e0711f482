import { describe, expect, it } from 'vitest';
import { align, chartBuckets, checksum, drawable, flagText, nearestIndex, nearestValues, POINT_BUDGET } from './series';

describe('align', () => {
  it('puts every run on the union of x values', () => {
    const a = align([
      { x: [0, 2, 4], columns: [[1, 2, 3]] },
      { x: [1, 2], columns: [[10, 20]] },
    ]);
    expect(a.x).toEqual([0, 1, 2, 4]);
    expect(a.columns[0][0]).toEqual([1, null, 2, 3]);
    expect(a.columns[1][0]).toEqual([null, 10, 20, null]);
  });
  it('turns NaN into null, and non-positive values on log axes', () => {
    const a = align([{ x: [0, 1, 2], columns: [[NaN, 0, 5]] }], true);
    expect(a.columns[0][0]).toEqual([null, null, 5]);
  });
});

describe('align without x', () => {
  it('leaves out points whose x is not finite', () => {
    const a = align([
      { x: [NaN, NaN, 1, 2], columns: [[5, 6, 7, 8]] },
      { x: [1, 3], columns: [[1, 2]] },
    ]);
    expect(a.x).toEqual([1, 2, 3]);
    expect(a.columns).toEqual([[[7, 8, null]], [[1, null, 2]]]);
  });
});

describe('drawable', () => {
  it('keeps finite values', () => {
    expect(drawable(-1, false)).toBe(-1);
    expect(drawable(Infinity, false)).toBeNull();
  });
});

describe('nearestIndex', () => {
  it('finds the closest element', () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([0, 10, 20], -5)).toBe(0);
    expect(nearestIndex([0, 10, 20], 99)).toBe(2);
    expect(nearestIndex([], 1)).toBe(-1);
  });
});

describe('nearestValues', () => {
  it('keeps the k closest to the cursor', () => {
    const vals = [
      { id: 'a', x: 1, y: 0 },
      { id: 'b', x: 1, y: 5 },
      { id: 'c', x: 1, y: NaN },
      { id: 'd', x: 1, y: 4 },
    ];
    expect(nearestValues(vals, 4.4, 2).map((v) => v.id)).toEqual(['d', 'b']);
  });
});

describe('checksum', () => {
  it('changes when values change', () => {
    expect(checksum([[1, 2, null]])).not.toBe(checksum([[1, 2.5, null]]));
    expect(checksum([[1, 2]])).toBe(checksum([[1, 2]]));
  });
});

describe('flagText', () => {
  it('names the non-finite values of a bucket', () => {
    expect(flagText(0)).toBe('');
    expect(flagText(null)).toBe('');
    expect(flagText(1)).toBe('NaN');
    expect(flagText(6)).toBe('+inf -inf');
  });
});

describe('chartBuckets', () => {
  it('follows the chart width for a few runs', () => {
    expect(chartBuckets(430, 3)).toBe(500);
    expect(chartBuckets(5000, 1)).toBe(1000);
    expect(chartBuckets(50, 1)).toBe(100);
  });
  it('keeps a chart of many runs within the point budget', () => {
    expect(chartBuckets(430, 100)).toBe(200);
    expect(chartBuckets(430, 100) * 100).toBeLessThanOrEqual(POINT_BUDGET);
    expect(chartBuckets(1400, 1000)).toBe(20);
  });
  it('asks for a whole number of buckets before the chart has a width', () => {
    expect(chartBuckets(Number.NaN, 3)).toBe(1000);
    expect(chartBuckets(0, 3)).toBe(1000);
    expect(chartBuckets(Number.NaN, 10000)).toBe(20);
  });
});
