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
  it('gives media keys their panel, histograms in their prefix section', () => {
    const media = (name: string, type: string): KeyInfo => ({ ...key(name, 5, 'other'), media: type });
    const s = buildSections([
      media('gradients/fc1.weight', 'histogram'),
      media('parameters/fc1.weight', 'histogram'),
      media('preds', 'image-file'),
      media('samples', 'images/separated'),
      media('results', 'table-file'),
      media('clip', 'audio'),
      media('page', 'html-file'),
      media('odd', 'object3D'),
    ]);
    expect(s.map((x) => x.name)).toEqual([DEFAULT_SECTION, 'gradients', 'parameters']);
    expect(s[0].panels.map((p) => [p.key, p.kind])).toEqual([
      ['clip', 'media'],
      ['page', 'media'],
      ['preds', 'image'],
      ['results', 'table'],
      ['samples', 'image'],
    ]);
    expect(s[1].panels[0].kind).toBe('histogram');
  });
  it('leaves out excluded keys (custom chart tables)', () => {
    const s = buildSections([key('cm_table', 1, 'other'), key('loss')].map((k) => ({ ...k, media: k.kind === 'other' ? 'table-file' : null })), '', new Set(['cm_table']));
    expect(s.flatMap((x) => x.panels.map((p) => p.key))).toEqual(['loss']);
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
