import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type ViewSettings } from './route';
import { MAX_VIEW_NAME, VIEW_FORMAT, captureView, readView, settingsQuery, viewNameProblem } from './savedView';

const CHANGED: ViewSettings = {
  ...DEFAULT_SETTINGS,
  smoothing: { kind: 'ema', weight: 0.75 },
  search: 'loss',
  xAxis: '_runtime',
  groupBy: 'config.lr',
  band: 'std',
  groupRuns: true,
};

describe('settingsQuery', () => {
  it('is empty for the default settings', () => {
    expect(settingsQuery(DEFAULT_SETTINGS)).toBe('');
  });

  it('holds every changed setting', () => {
    const q = new URLSearchParams(settingsQuery(CHANGED));
    expect(q.get('q')).toBe('loss');
    expect(q.get('x')).toBe('_runtime');
    expect(q.get('w')).toBe('0.75');
  });
});

describe('captureView and readView', () => {
  it('round-trip the settings and the layout', () => {
    const layout = { hidden: { r1: true }, heights: { loss: 300 }, showArchived: true };
    const saved = JSON.parse(JSON.stringify(captureView(CHANGED, layout))) as unknown;
    expect(saved).toMatchObject({ format: VIEW_FORMAT });
    expect(readView(saved)).toEqual({ settings: CHANGED, layout });
  });

  it('fall back to defaults for a malformed view', () => {
    for (const bad of [null, 3, 'x', [], { query: 5, layout: [1] }]) {
      expect(readView(bad)).toEqual({ settings: DEFAULT_SETTINGS, layout: {} });
    }
  });

  it('ignore settings the URL would not accept', () => {
    expect(readView({ query: 'x=_secret&band=wide', layout: {} }).settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('viewNameProblem', () => {
  it('accepts ordinary names, unicode and slashes included', () => {
    expect(viewNameProblem('loss / val ü')).toBeNull();
  });

  it('names what is wrong', () => {
    expect(viewNameProblem('  ')).toMatch(/name/);
    expect(viewNameProblem('x'.repeat(MAX_VIEW_NAME + 1))).toMatch(/at most/);
    expect(viewNameProblem('a\tb')).toMatch(/control/);
  });
});
