import { describe, expect, it } from 'vitest';
import { cellText, formatBytes, heatColor, heatmapCell, heatmapPixels, mediaCell, stepIndex } from './media';

describe('stepIndex', () => {
  const steps = [0, 10, 20, 30];
  it('finds a step or the nearest one before it', () => {
    expect(stepIndex(steps, 10)).toBe(1);
    expect(stepIndex(steps, 25)).toBe(2);
    expect(stepIndex(steps, 1000)).toBe(3);
  });
  it('gives the first before all steps and the last for null', () => {
    expect(stepIndex(steps, -5)).toBe(0);
    expect(stepIndex(steps, null)).toBe(3);
    expect(stepIndex([], 4)).toBe(0);
  });
});

describe('heatmap', () => {
  it('is white for zero and darkens with the count', () => {
    expect(heatColor(0)).toEqual([255, 255, 255]);
    expect(heatColor(Number.NaN)).toEqual([255, 255, 255]);
    const low = heatColor(0.01);
    const high = heatColor(1);
    expect(low[2]).toBeGreaterThan(high[2]);
    expect(low).not.toEqual([255, 255, 255]);
  });
  it('draws one pixel per column and bin, the highest bin on top', () => {
    const px = heatmapPixels([[4, 0], [0, 4]], 2, 4);
    expect(px.length).toBe(2 * 2 * 4);
    // column 0: bin 0 (bottom row) full, column 1: bin 1 (top row) full
    const at = (x: number, y: number) => Array.from(px.slice((y * 2 + x) * 4, (y * 2 + x) * 4 + 3));
    expect(at(0, 1)).toEqual(heatColor(1));
    expect(at(0, 0)).toEqual([255, 255, 255]);
    expect(at(1, 0)).toEqual(heatColor(1));
  });
  it('maps a point to its column and bin', () => {
    expect(heatmapCell(0, 0, 100, 50, 10, 5)).toEqual({ column: 0, bin: 4 });
    expect(heatmapCell(99, 49, 100, 50, 10, 5)).toEqual({ column: 9, bin: 0 });
    expect(heatmapCell(100, 10, 100, 50, 10, 5)).toBeNull();
  });
});

describe('table cells', () => {
  it('recognises media references and shows everything else as text', () => {
    expect(mediaCell({ _type: 'image-file', path: 'media/images/a.png' })).toEqual({ type: 'image-file', path: 'media/images/a.png', caption: undefined });
    expect(mediaCell({ path: 'x' })).toBeNull();
    expect(mediaCell('media/images/a.png')).toBeNull();
    expect(cellText('<b>x</b>')).toBe('<b>x</b>');
    expect(cellText(null)).toBe('');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText([1, 2])).toBe('[1,2]');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
  });
});
