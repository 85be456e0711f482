import { describe, expect, it } from 'vitest';
import { METRIC_AXIS, brushToRange, buildAxes, buildAxis, decodeRanges, encodeRanges, metricColor, rangeToBrush, selectRunsByRange } from './parcoords';

const runs = [
  { run_id: 'a', params: { lr: 0.001, opt: 'adam' }, metric: 1 },
  { run_id: 'b', params: { lr: 0.01, opt: 'sgd' }, metric: 2 },
  { run_id: 'c', params: { lr: 0.1, opt: 'adam' }, metric: null },
];

describe('buildAxis', () => {
  it('places log values evenly by their logarithm', () => {
    const axis = buildAxis({ name: 'lr', scale: 'log' }, [0.001, 0.01, 0.1]);
    expect(axis.scale).toBe('log');
    expect(axis.position(0.01)).toBeCloseTo(0.5);
    expect(axis.ticks[0].label).toBe('0.001');
  });
  it('spreads categories over the axis in sorted order', () => {
    const axis = buildAxis({ name: 'opt', scale: 'categorical' }, ['sgd', 'adam', 'sgd']);
    expect(axis.ticks.map((t) => t.label)).toEqual(['adam', 'sgd']);
    expect(axis.position('sgd')).toBe(1);
    expect(axis.position('rmsprop')).toBeNull();
  });
  it('treats strings on a numeric axis as categories and widens a single value', () => {
    expect(buildAxis({ name: 'x', scale: 'linear' }, [1, 'two']).scale).toBe('categorical');
    expect(buildAxis({ name: 'x', scale: 'linear' }, [3, 3]).position(3)).toBe(0.5);
  });
  it('falls back to linear for a log axis with a non-positive value', () => {
    expect(buildAxis({ name: 'x', scale: 'log' }, [0, 1]).scale).toBe('linear');
  });
});

describe('brushes as value ranges', () => {
  const axes = buildAxes([{ name: 'lr', scale: 'log' }, { name: 'opt', scale: 'categorical' }], runs);
  const [lr, opt] = axes;
  it('ends with the metric axis', () => {
    expect(axes.map((a) => a.name)).toEqual(['lr', 'opt', METRIC_AXIS]);
  });
  it('turns a brush on a log axis into the values at its ends', () => {
    const range = brushToRange(lr, [0.5, 1]);
    expect('lo' in range && range.lo).toBeCloseTo(0.01);
    expect('hi' in range && range.hi).toBeCloseTo(0.1);
    expect(rangeToBrush(lr, range)?.map((p) => Number(p.toFixed(6)))).toEqual([0.5, 1]);
  });
  it('turns a brush on a category axis into the categories it covers', () => {
    expect(brushToRange(opt, [0.6, 1])).toEqual({ cats: ['sgd'] });
    expect(brushToRange(opt, [0.2, 0.4])).toEqual({ cats: [] });
    expect(rangeToBrush(opt, { cats: [] })).toBeNull();
  });
  it('keeps every run without ranges and the runs inside all of them otherwise', () => {
    expect([...selectRunsByRange(runs, {})]).toEqual(['a', 'b', 'c']);
    expect([...selectRunsByRange(runs, { lr: { lo: 0.005, hi: 1 } })]).toEqual(['b', 'c']);
    expect([...selectRunsByRange(runs, { lr: { lo: 0.005, hi: 1 }, opt: { cats: ['adam'] } })]).toEqual(['c']);
  });
  it('leaves out runs with no value on a ranged axis', () => {
    expect([...selectRunsByRange(runs, { [METRIC_AXIS]: { lo: 0, hi: 5 } })]).toEqual(['a', 'b']);
  });
  it('selects the same runs after the axis rescales (a live sweep added a run)', () => {
    const range = brushToRange(lr, [0.4, 1]);
    const wider = [...runs, { run_id: 'd', params: { lr: 10, opt: 'sgd' }, metric: 3 }];
    const rescaled = buildAxes([{ name: 'lr', scale: 'log' }], wider)[0];
    expect([...selectRunsByRange(wider, { lr: range })]).toEqual(['b', 'c']);
    expect(rangeToBrush(rescaled, range)![1]).toBeLessThan(1);
  });
});

describe('encodeRanges / decodeRanges', () => {
  it('round-trips numeric, category and metric ranges', () => {
    const ranges = { lr: { lo: 0.001, hi: 0.01 }, opt: { cats: ['adam', 'sgd'] }, [METRIC_AXIS]: { lo: 0, hi: 1 } };
    const text = encodeRanges(ranges);
    expect(text).toContain('@metric');
    expect(decodeRanges(text)).toEqual(ranges);
    expect(encodeRanges({})).toBe('');
  });
  it('leaves out what is malformed', () => {
    expect(decodeRanges('not json')).toEqual({});
    expect(decodeRanges('[1, 2]')).toEqual({});
    expect(decodeRanges('{"a": [1], "b": ["in", 3], "c": [2, 1]}')).toEqual({ c: { lo: 1, hi: 2 } });
    expect(decodeRanges(null)).toEqual({});
  });
});

describe('metricColor', () => {
  it('gives the best value yellow and the worst purple, per goal', () => {
    expect(metricColor(0, 0, 1, 'minimize')).toBe('rgb(253, 231, 37)');
    expect(metricColor(0, 0, 1, 'maximize')).toBe('rgb(68, 1, 84)');
    expect(metricColor(null, 0, 1)).toBe('#b0b0b0');
  });
});
