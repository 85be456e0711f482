import { describe, expect, it } from 'vitest';
import { decodeSeries, encodeSeries } from './series';

describe('decodeSeries', () => {
  it('reads every block of every run', () => {
    const buf = encodeSeries({ key: 'loss', width: 4 }, [
      { id: 'a', x: [0, 4, 7], last: [3, 2, 1], min: [2.5, 1.5, 1], max: [3, 2.5, 1], flags: [0, 1, 0] },
      { id: 'b', x: [1], last: [NaN] },
    ]);
    const d = decodeSeries(buf);
    expect(d.key).toBe('loss');
    expect(d.width).toBe(4);
    expect(d.total).toBe(4);
    expect(d.runs.map((r) => r.id)).toEqual(['a', 'b']);
    expect(Array.from(d.runs[0].x)).toEqual([0, 4, 7]);
    expect(Array.from(d.runs[0].min)).toEqual([2.5, 1.5, 1]);
    expect(Array.from(d.runs[0].max)).toEqual([3, 2.5, 1]);
    expect(Array.from(d.runs[0].flags)).toEqual([0, 1, 0]);
    expect(d.runs[1].last[0]).toBeNaN();
  });
  it('keeps views on the response buffer (no copies)', () => {
    const buf = encodeSeries({ key: 'k' }, [{ id: 'a', x: [1, 2], last: [1, 2] }]);
    const d = decodeSeries(buf);
    expect(d.runs[0].x.buffer).toBe(buf);
    expect(d.runs[0].last.buffer).toBe(buf);
  });
  it('handles an empty answer', () => {
    const d = decodeSeries(encodeSeries({ key: 'k' }, []));
    expect(d.runs).toEqual([]);
  });
  it('handles an odd total (padded blocks)', () => {
    const d = decodeSeries(
      encodeSeries({ key: 'k' }, [{ id: 'a', x: [1, 2, 3, 4, 5], last: [5, 4, 3, 2, 1] }]),
    );
    expect(Array.from(d.runs[0].last)).toEqual([5, 4, 3, 2, 1]);
    expect(Array.from(d.runs[0].mean)).toEqual([5, 4, 3, 2, 1]);
  });
});
