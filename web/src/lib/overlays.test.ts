import { describe, expect, it } from 'vitest';
import { PALETTE } from './colors';
import { type Rect, boxLabel, boxRect, boxTitle, classColor, colorMask, hexRgb, legendClasses, maskClasses, MASK_ALPHA, parseBoxes } from './overlays';

describe('parseBoxes', () => {
  it('keeps boxes and labels and drops fields of the wrong type', () => {
    const parsed = parseBoxes({
      box_data: [{ position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, class_id: 2, box_caption: 'c', scores: { acc: 0.5, bad: 'x' }, domain: 'other' }],
      class_labels: { 2: 'dog' },
    });
    expect(parsed.class_labels).toEqual({ '2': 'dog' });
    expect(parsed.box_data[0]).toEqual({ position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, class_id: 2, box_caption: 'c', scores: { acc: 0.5 } });
  });
  it('names the problem of a malformed file', () => {
    expect(() => parseBoxes({})).toThrow('box_data must be a list');
    expect(() => parseBoxes({ box_data: [{}] })).toThrow('box 0 has no position');
    expect(() => parseBoxes({ box_data: [], class_labels: [1] })).toThrow('class_labels');
  });
  it('takes a file without class labels', () => {
    expect(parseBoxes({ box_data: [] })).toEqual({ box_data: [], class_labels: {} });
  });
});

/** `rect`'s fields, rounded to 9 places (floating-point sums are not exact). */
const round = (rect: Rect | null) => rect && Object.fromEntries(Object.entries(rect).map(([k, v]) => [k, Math.round(v * 1e9) / 1e9]));

describe('boxRect', () => {
  it('keeps relative corners as they are', () => {
    expect(round(boxRect({ position: { minX: 0.1, maxX: 0.5, minY: 0.2, maxY: 0.6 } }, 0, 0))).toEqual({ x: 0.1, y: 0.2, w: 0.4, h: 0.4 });
  });
  it('divides pixel corners by the image size', () => {
    expect(round(boxRect({ position: { minX: 2, maxX: 6, minY: 1, maxY: 3 }, domain: 'pixel' }, 8, 4))).toEqual({ x: 0.25, y: 0.25, w: 0.5, h: 0.5 });
  });
  it('turns a middle, width and height into corners', () => {
    expect(round(boxRect({ position: { middle: [4, 2], width: 4, height: 2 }, domain: 'pixel' }, 8, 4))).toEqual({ x: 0.25, y: 0.25, w: 0.5, h: 0.5 });
    expect(round(boxRect({ position: { middle: [0.5, 0.5], width: 0.5, height: 0.25 } }, 0, 0))).toEqual({ x: 0.25, y: 0.375, w: 0.5, h: 0.25 });
  });
  it('orders swapped corners', () => {
    expect(round(boxRect({ position: { minX: 0.5, maxX: 0.1, minY: 0.6, maxY: 0.2 } }, 0, 0))).toEqual({ x: 0.1, y: 0.2, w: 0.4, h: 0.4 });
  });
  it('is null for an unknown position or a pixel box on an image of unknown size', () => {
    expect(boxRect({ position: { x: 1 } }, 8, 8)).toBeNull();
    expect(boxRect({ position: { minX: 0, maxX: 1, minY: 0, maxY: 1 }, domain: 'pixel' }, 0, 0)).toBeNull();
  });
});

describe('box text', () => {
  const labels = { '1': 'cat' };
  it('is the caption, else the class name', () => {
    expect(boxLabel({ position: {}, class_id: 1, box_caption: '<b>x</b>' }, labels)).toBe('<b>x</b>');
    expect(boxLabel({ position: {}, class_id: 1 }, labels)).toBe('cat');
    expect(boxLabel({ position: {}, class_id: 7 }, labels)).toBe('class 7');
    expect(boxLabel({ position: {} }, labels)).toBe('');
  });
  it('lists class, caption and scores on hover', () => {
    expect(boxTitle({ position: {}, class_id: 1, box_caption: 'big', scores: { acc: 0.9 } }, labels)).toBe('cat\nbig\nacc: 0.9');
  });
});

describe('class colours', () => {
  it('come from the palette and wrap around', () => {
    expect(classColor(1)).toBe(PALETTE[1]);
    expect(classColor(PALETTE.length + 1)).toBe(PALETTE[1]);
    expect(classColor(-1)).toBe(PALETTE[PALETTE.length - 1]);
    expect(hexRgb('#ff8001')).toEqual([255, 128, 1]);
  });
});

describe('mask colouring', () => {
  // three pixels: background, class 1, class 2 (greyscale decoded as RGBA)
  const rgba = [0, 0, 0, 255, 1, 1, 1, 255, 2, 2, 2, 255];
  it('colours each class and leaves hidden classes transparent', () => {
    const out = colorMask(rgba, new Set([0]));
    expect([...out.slice(0, 4)]).toEqual([0, 0, 0, 0]);
    expect([...out.slice(4, 8)]).toEqual([...hexRgb(classColor(1)), MASK_ALPHA]);
    expect([...out.slice(8, 12)]).toEqual([...hexRgb(classColor(2)), MASK_ALPHA]);
    expect([...colorMask(rgba, new Set([0, 2])).slice(8, 12)]).toEqual([0, 0, 0, 0]);
    expect(rgba[4]).toBe(1);
  });
  it('lists the classes present and those labelled', () => {
    expect(maskClasses(rgba)).toEqual([0, 1, 2]);
    expect(legendClasses({ '5': 'five', '1': 'one' }, [0, 1])).toEqual([0, 1, 5]);
  });
});
