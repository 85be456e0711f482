import { describe, expect, it } from 'vitest';
import { PALETTE, assignColors, hashString, runColor, withAlpha } from './colors';

describe('runColor', () => {
  it('is stable for the same run id', () => {
    expect(runColor('abc123')).toBe(runColor('abc123'));
  });
  it('comes from the palette', () => {
    for (const id of ['a', 'b', 'run-1', 'x9y8z7']) expect(PALETTE).toContain(runColor(id));
  });
  it('spreads ids over many palette colours', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => runColor(`run${i}`)));
    expect(used.size).toBeGreaterThan(15);
  });
});

describe('hashString', () => {
  it('matches FNV-1a for known input', () => {
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});

describe('withAlpha', () => {
  it('turns hex into rgba', () => {
    expect(withAlpha('#ff8000', 0.5)).toBe('rgba(255, 128, 0, 0.5)');
  });
});

describe('assignColors', () => {
  const ids = Array.from({ length: 45 }, (_, i) => `run${i}`);
  it('gives the first runs distinct colours', () => {
    const colors = assignColors(ids);
    expect(new Set(ids.slice(0, PALETTE.length).map((id) => colors[id])).size).toBe(PALETTE.length);
    expect(new Set(ids.slice(20, 40).map((id) => colors[id])).size).toBe(PALETTE.length);
  });
  it('keeps older runs\' colours when runs are added', () => {
    const before = assignColors(ids.slice(0, 10));
    const after = assignColors(ids);
    for (const id of ids.slice(0, 10)) expect(after[id]).toBe(before[id]);
  });
  it('uses the hashed colour when the slot is free', () => {
    expect(assignColors(['solo']).solo).toBe(runColor('solo'));
  });
});
