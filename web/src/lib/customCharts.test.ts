import { describe, expect, it } from 'vitest';
import {
  bars,
  cellText,
  chartPanelKind,
  chartTableKeys,
  confusionMatrix,
  curveLegend,
  curves,
  histogram,
  labelledBars,
  niceTicks,
  normalizeRows,
  numericColumns,
  trapezoidArea,
  withAreas,
  type ChartTable,
  type CustomChart,
} from './customCharts';

const table = (columns: string[], rows: unknown[][]): ChartTable => ({
  columns,
  data: columns.map((_, i) => rows.map((r) => r[i])),
  nrows: rows.length,
  truncated: false,
});

describe('chartPanelKind', () => {
  it('picks the panel by preset, ROC or PR by the area carried', () => {
    expect(chartPanelKind({ kind: 'wandb/confusion_matrix/v1', extra: {} })).toBe('confusion');
    expect(chartPanelKind({ kind: 'wandb/area-under-curve/v0', extra: { auc: { a: 1 } } })).toBe('roc');
    expect(chartPanelKind({ kind: 'wandb/area-under-curve/v0', extra: { average_precision: { a: 1 } } })).toBe('pr');
    expect(chartPanelKind({ kind: 'wandb/roc/v1', extra: {} })).toBe('roc');
    expect(chartPanelKind({ kind: 'wandb/bar/v0', extra: {} })).toBe('bar');
    expect(chartPanelKind({ kind: 'wandb/elbow/v1', extra: {} })).toBe('generic');
  });
  it('lists the chart tables to hide from plain sections', () => {
    const chart = { table_key: 'cm_table' } as CustomChart;
    expect([...chartTableKeys([chart])]).toEqual(['cm_table']);
  });
});

describe('confusionMatrix', () => {
  const fields = { Actual: 'Actual', Predicted: 'Predicted', nPredictions: 'n' };
  it('puts actual classes in rows and predicted in columns, missing pairs 0', () => {
    const t = table(['Actual', 'Predicted', 'n'], [['cat', 'cat', 3], ['cat', 'dog', 1], ['dog', 'dog', 4]]);
    const m = confusionMatrix(t, fields);
    expect(m.classes).toEqual(['cat', 'dog']);
    expect(m.counts).toEqual([[3, 1], [0, 4]]);
    expect(m.max).toBe(4);
  });
  it('follows swapped field names (the sklearn helper)', () => {
    const t = table(['Predicted', 'Actual', 'Count'], [['cat', 'dog', 2]]);
    const m = confusionMatrix(t, { Actual: 'Predicted', Predicted: 'Actual', nPredictions: 'Count' });
    expect(m.counts[m.classes.indexOf('cat')][m.classes.indexOf('dog')]).toBe(2);
  });
  it('normalises rows to shares and keeps empty rows at 0', () => {
    const m = normalizeRows({ classes: ['a', 'b'], counts: [[3, 1], [0, 0]], max: 3 });
    expect(m.counts).toEqual([[0.75, 0.25], [0, 0]]);
    expect(cellText(0.75, true)).toBe('0.75');
    expect(cellText(3, false)).toBe('3');
  });
  it('builds a 100-class matrix from 10,000 cells', () => {
    const rows: unknown[][] = [];
    for (let a = 0; a < 100; a++) for (let p = 0; p < 100; p++) rows.push([`c${a}`, `c${p}`, a === p ? 10 : 1]);
    const m = confusionMatrix(table(['Actual', 'Predicted', 'n'], rows), fields);
    expect(m.classes.length).toBe(100);
    expect(m.counts[42][42]).toBe(10);
  });
});

describe('curves', () => {
  it('splits points by class and skips non-numbers', () => {
    const t = table(['class', 'fpr', 'tpr'], [['a', 0, 0], ['a', 1, 1], ['b', 0, 'x'], ['b', 0.5, 0.5]]);
    const cs = curves(t, 'fpr', 'tpr', 'class');
    expect(cs.map((c) => c.label)).toEqual(['a', 'b']);
    expect(cs[1]).toEqual({ label: 'b', x: [0.5], y: [0.5] });
  });
  it('computes ROC areas when the chart carries none', () => {
    const c = { label: 'a', x: [0, 0, 1], y: [0, 1, 1] };
    expect(trapezoidArea(c)).toBe(1);
    expect(withAreas('roc', {}, [c]).auc).toEqual({ a: 1 });
    expect(withAreas('roc', { auc: { a: 0.5 } }, [c]).auc).toEqual({ a: 0.5 });
    expect(withAreas('pr', {}, [c]).auc).toBeUndefined();
  });
  it('labels legend entries with their area', () => {
    expect(curveLegend('cat', 'roc', { auc: { cat: 0.9712 } })).toBe('cat (AUC 0.971)');
    expect(curveLegend('cat', 'pr', { average_precision: { cat: 0.5 } })).toBe('cat (AP 0.500)');
    expect(curveLegend('dog', 'roc', {})).toBe('dog');
  });
});

describe('bars and histogram', () => {
  it('reads label/value bars in logged order', () => {
    expect(bars(table(['l', 'v'], [['x', 2], ['y', null], ['z', '3']]), 'l', 'v')).toEqual([
      { label: 'x', value: 2 },
      { label: 'z', value: 3 },
    ]);
  });
  it('labels fallback bars by the text columns', () => {
    const t = table(['class', 'dataset', 'count'], [['a', 'train', 3], ['a', 'test', 1], ['b', 'train', 2]]);
    expect(numericColumns(t)).toEqual(['count']);
    expect(labelledBars(t, 'count', ['class', 'dataset'], 2)).toEqual([
      { label: 'a · train', value: 3 },
      { label: 'a · test', value: 1 },
    ]);
  });
  it('bins values with the maximum in the last bin', () => {
    const h = histogram([0, 1, 2, 3, 4], 2);
    expect(h.edges).toEqual([0, 2, 4]);
    expect(h.counts).toEqual([2, 3]);
    expect(histogram([], 3)).toEqual({ edges: [], counts: [] });
  });
  it('places round ticks', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
