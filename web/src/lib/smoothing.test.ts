import { describe, expect, it } from 'vitest';
import { ema, gaussian, isActive, runningAverage, smooth, timeWeightedEma } from './smoothing';

describe('ema', () => {
  it('starts at the first value (debiased)', () => {
    expect(ema([5, 5, 5], 0.9)[0]).toBeCloseTo(5);
    expect(Array.from(ema([5, 5, 5], 0.9))).toEqual([5, 5, 5].map((v) => expect.closeTo(v, 9)));
  });
  it('weight 0 returns the data', () => {
    expect(Array.from(ema([1, 2, 3], 0))).toEqual([1, 2, 3]);
  });
  it('matches the recurrence', () => {
    const out = ema([0, 10], 0.5);
    // last = 0.5*0 + 0.5*0 = 0 -> 0; then last = 0.5*0 + 0.5*10 = 5, debias 0.75
    expect(out[1]).toBeCloseTo(5 / 0.75);
  });
  it('passes NaN through without poisoning later values', () => {
    const out = ema([1, NaN, 1], 0.5);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBeCloseTo(1);
  });
});

describe('timeWeightedEma', () => {
  it('equals the plain ema on evenly spaced x', () => {
    const y = [3, 1, 4, 1, 5, 9];
    const a = timeWeightedEma([0, 1, 2, 3, 4, 5], y, 0.6);
    const b = ema(y, 0.6);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]));
  });
  it('forgets faster across a wide gap', () => {
    const even = timeWeightedEma([0, 1, 2, 3], [0, 0, 0, 10], 0.8)[3];
    const gap = timeWeightedEma([0, 1, 2, 30], [0, 0, 0, 10], 0.8)[3];
    expect(gap).toBeGreaterThan(even);
  });
});

describe('runningAverage', () => {
  it('averages a trailing window', () => {
    expect(Array.from(runningAverage([2, 4, 6, 8], 2))).toEqual([2, 3, 5, 7]);
  });
});

describe('gaussian', () => {
  it('keeps a constant series constant', () => {
    gaussian([2, 2, 2, 2, 2], 1.5).forEach((v) => expect(v).toBeCloseTo(2));
  });
  it('spreads a spike symmetrically', () => {
    const out = gaussian([0, 0, 10, 0, 0], 1);
    expect(out[1]).toBeCloseTo(out[3]);
    expect(out[2]).toBeLessThan(10);
  });
});

describe('smooth', () => {
  it('copies the data when off', () => {
    expect(Array.from(smooth([0, 1], [1, 2], { kind: 'none', weight: 0.5 }))).toEqual([1, 2]);
    expect(isActive({ kind: 'none', weight: 0.5 })).toBe(false);
    expect(isActive({ kind: 'ema', weight: 0 })).toBe(false);
    expect(isActive({ kind: 'ema', weight: 0.3 })).toBe(true);
  });
});
