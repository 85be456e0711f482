import { describe, expect, it } from 'vitest';
import { DRAW_ALL_UP_TO, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH, columnWidth, columnWindow } from './columnWindow';

describe('columnWidth', () => {
  it('measures dynamic columns from the label, clamped', () => {
    expect(columnWidth({ id: 'config.a', label: 'a', group: 'config' })).toBe(MIN_COLUMN_WIDTH);
    expect(columnWidth({ id: 'summary.x', label: 'x'.repeat(200), group: 'summary' })).toBe(MAX_COLUMN_WIDTH);
    const short = columnWidth({ id: 'config.learning_rate', label: 'learning_rate', group: 'config' });
    expect(short).toBeGreaterThan(MIN_COLUMN_WIDTH);
    expect(short).toBeLessThan(MAX_COLUMN_WIDTH);
  });

  it('gives the run columns fixed widths', () => {
    expect(columnWidth({ id: 'name', label: 'Name', group: 'run' })).toBe(200);
  });
});

describe('columnWindow', () => {
  const widths = Array.from({ length: 500 }, () => 100);

  it('draws the columns in view plus the overscan, with spacers summing to the total', () => {
    const w = columnWindow(widths, 1000, 450, 2, 0);
    // Columns 10..14 overlap [1000, 1450]; two more each side.
    expect(w).toEqual({ first: 8, last: 17, before: 800, after: (500 - 17) * 100, total: 50_000 });
  });

  it('starts at the first column when not scrolled', () => {
    const w = columnWindow(widths, 0, 250, 1, 0);
    expect([w.first, w.last, w.before]).toEqual([0, 4, 0]);
  });

  it('reaches the last column when scrolled to the end, and clamps past it', () => {
    for (const left of [49_750, 60_000]) {
      const w = columnWindow(widths, left, 250, 1, 0);
      expect(w.last).toBe(500);
      expect(w.after).toBe(0);
      expect(w.before + (w.last - w.first) * 100 + w.after).toBe(w.total);
    }
  });

  it('handles uneven widths and edges that fall on a boundary', () => {
    const w = columnWindow([50, 150, 100, 200], 200, 100, 0, 0);
    // [200, 300] is exactly column 2.
    expect([w.first, w.last, w.before, w.after]).toEqual([2, 3, 200, 200]);
  });

  it('clamps a negative scroll and draws nothing for no columns', () => {
    expect(columnWindow(widths, -50, 150, 0, 0).first).toBe(0);
    expect(columnWindow([], 0, 500)).toEqual({ first: 0, last: 0, before: 0, after: 0, total: 0 });
  });

  it('draws every column when there are few', () => {
    const few = Array.from({ length: DRAW_ALL_UP_TO }, () => 100);
    expect(columnWindow(few, 500, 200)).toEqual({ first: 0, last: DRAW_ALL_UP_TO, before: 0, after: 0, total: 100 * DRAW_ALL_UP_TO });
    expect(columnWindow([...few, 100], 500, 200).first).toBeGreaterThan(0);
  });

  it('stays a small window at thousands of columns', () => {
    const many = Array.from({ length: 5000 }, (_, i) => 64 + (i % 7) * 20);
    const w = columnWindow(many, 123_456, 900, 3, 0);
    expect(w.last - w.first).toBeLessThan(30);
    let sum = 0;
    for (let i = w.first; i < w.last; i++) sum += many[i];
    expect(w.before + sum + w.after).toBe(w.total);
  });
});
