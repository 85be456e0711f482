import { describe, expect, it } from 'vitest';
import {
  DEFAULT_COLUMN_PREFS,
  arrangeColumns,
  hideColumns,
  parseColumnPrefs,
  searchColumns,
  showColumns,
  toggleColumn,
  togglePinColumn,
} from './columnPrefs';
import type { ColumnSpec } from './runtable';

const cols: ColumnSpec[] = [
  { id: 'name', label: 'Name', group: 'run' },
  { id: 'state', label: 'State', group: 'run' },
  { id: 'config.lr', label: 'lr', group: 'config' },
  { id: 'config.batch_size', label: 'batch_size', group: 'config' },
  { id: 'summary.val_acc', label: 'val_acc', group: 'summary' },
];
const ids = (c: ColumnSpec[]) => c.map((x) => x.id);

describe('arrangeColumns', () => {
  it('keeps the given order by default', () => {
    expect(ids(arrangeColumns(cols, DEFAULT_COLUMN_PREFS))).toEqual(ids(cols));
  });

  it('puts front columns after the name, in pin order, and leaves hidden ones out', () => {
    const prefs = { hidden: { state: true as const, 'config.lr': true as const }, front: ['summary.val_acc', 'config.lr', 'gone'] };
    expect(ids(arrangeColumns(cols, prefs))).toEqual(['name', 'summary.val_acc', 'config.batch_size']);
  });
});

describe('column visibility', () => {
  it('toggles a column, never the name', () => {
    const p = toggleColumn(DEFAULT_COLUMN_PREFS, 'state');
    expect(p.hidden).toEqual({ state: true });
    expect(toggleColumn(p, 'state').hidden).toEqual({});
    expect(toggleColumn(p, 'name')).toBe(p);
  });

  it('hides all but the name, and shows all or some again', () => {
    const hidden = hideColumns(DEFAULT_COLUMN_PREFS, ids(cols));
    expect(ids(arrangeColumns(cols, hidden))).toEqual(['name']);
    expect(ids(arrangeColumns(cols, showColumns(hidden, ['config.lr'])))).toEqual(['name', 'config.lr']);
    expect(ids(arrangeColumns(cols, showColumns(hidden)))).toEqual(ids(cols));
  });

  it('does not change the prefs it is given', () => {
    const p = { hidden: {}, front: [] };
    hideColumns(p, ['state']);
    togglePinColumn(p, 'state');
    expect(p).toEqual({ hidden: {}, front: [] });
  });
});

describe('togglePinColumn', () => {
  it('moves a column to the front, showing it, and back again', () => {
    let p = togglePinColumn({ hidden: { 'config.lr': true }, front: [] }, 'config.lr');
    expect(p).toEqual({ hidden: {}, front: ['config.lr'] });
    p = togglePinColumn(p, 'summary.val_acc');
    expect(ids(arrangeColumns(cols, p)).slice(0, 3)).toEqual(['name', 'config.lr', 'summary.val_acc']);
    expect(togglePinColumn(p, 'config.lr').front).toEqual(['summary.val_acc']);
  });
});

describe('parseColumnPrefs', () => {
  it('keeps well-formed prefs', () => {
    expect(parseColumnPrefs({ hidden: { a: true }, front: ['b', 'b', 'c'] })).toEqual({ hidden: { a: true }, front: ['b', 'c'] });
  });

  it('drops malformed parts and the name column', () => {
    expect(parseColumnPrefs(null)).toEqual({ hidden: {}, front: [] });
    expect(parseColumnPrefs('x')).toEqual({ hidden: {}, front: [] });
    expect(parseColumnPrefs({ hidden: ['a'], front: 'b' })).toEqual({ hidden: {}, front: [] });
    expect(parseColumnPrefs({ hidden: { a: 1, name: true }, front: [1, 'name', 'c'] })).toEqual({ hidden: {}, front: ['c'] });
  });
});

describe('searchColumns', () => {
  it('matches every word against group, id and label', () => {
    expect(ids(searchColumns(cols, 'ACC'))).toEqual(['summary.val_acc']);
    expect(ids(searchColumns(cols, 'config b'))).toEqual(['config.batch_size']);
    expect(searchColumns(cols, '  ')).toHaveLength(cols.length);
  });
});
