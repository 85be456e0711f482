import { describe, expect, it } from 'vitest';
import { DEFAULT_SECTION, buildSections, keyMatches, sectionOf, type KeyInfo } from './sections';

const key = (name: string, max_count = 10, kind = 'scalar', hidden = false): KeyInfo => ({
  name, kind, runs: 1, max_count, hidden, step_metric: null,
});

describe('sectionOf', () => {
  it('takes the text before the first slash', () => {
    expect(sectionOf('train/loss')).toBe('train');
    expect(sectionOf('a/b/c')).toBe('a');
    expect(sectionOf('loss')).toBe(DEFAULT_SECTION);
    expect(sectionOf('/odd')).toBe(DEFAULT_SECTION);
  });
});

describe('buildSections', () => {
  it('groups keys, default section first, panels sorted', () => {
    const s = buildSections([key('val/loss'), key('train/loss'), key('lr'), key('train/acc')]);
    expect(s.map((x) => x.name)).toEqual([DEFAULT_SECTION, 'train', 'val']);
    expect(s[1].panels.map((p) => p.key)).toEqual(['train/acc', 'train/loss']);
  });
  it('makes a bar chart of keys logged once per run', () => {
    const s = buildSections([key('val_acc', 1), key('loss', 50)]);
    expect(s[0].panels.map((p) => p.kind)).toEqual(['line', 'bar']);
  });
  it('leaves out hidden and non-scalar keys', () => {
    expect(buildSections([key('img', 3, 'other'), key('h', 3, 'scalar', true)])).toEqual([]);
  });
  it('filters by search', () => {
    const s = buildSections([key('train/loss'), key('train/acc'), key('lr')], 'LOSS');
    expect(s.flatMap((x) => x.panels.map((p) => p.key))).toEqual(['train/loss']);
  });
});

describe('keyMatches', () => {
  it('supports regular expressions between slashes', () => {
    expect(keyMatches('train/loss', '/^train/')).toBe(true);
    expect(keyMatches('val/loss', '/^train/')).toBe(false);
    expect(keyMatches('x', '/(/')).toBe(false);
  });
});
