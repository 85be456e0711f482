import { describe, expect, it } from 'vitest';
import { METRIC_AXIS, buildAxes, buildAxis, metricColor, selectRuns } from './parcoords';

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

describe('selectRuns', () => {
  const axes = buildAxes([{ name: 'lr', scale: 'log' }, { name: 'opt', scale: 'categorical' }], runs);
  it('ends with the metric axis', () => {
    expect(axes.map((a) => a.name)).toEqual(['lr', 'opt', METRIC_AXIS]);
  });
  it('keeps every run without brushes and the runs inside all brushes otherwise', () => {
    expect([...selectRuns(runs, axes, {})]).toEqual(['a', 'b', 'c']);
    expect([...selectRuns(runs, axes, { lr: [0.4, 1] })]).toEqual(['b', 'c']);
    expect([...selectRuns(runs, axes, { lr: [1, 0.4], opt: [0, 0.2] })]).toEqual(['c']);
  });
  it('leaves out runs with no value on a brushed axis', () => {
    expect([...selectRuns(runs, axes, { [METRIC_AXIS]: [0, 1] })]).toEqual(['a', 'b']);
  });
});

describe('metricColor', () => {
  it('gives the best value yellow and the worst purple, per goal', () => {
    expect(metricColor(0, 0, 1, 'minimize')).toBe('rgb(253, 231, 37)');
    expect(metricColor(0, 0, 1, 'maximize')).toBe('rgb(68, 1, 84)');
    expect(metricColor(null, 0, 1)).toBe('#b0b0b0');
  });
});
