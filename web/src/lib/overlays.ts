/** Pure helpers of image overlays: the boxes file's content checked and its boxes placed on the
 * image (as fractions of its size), the colour of each class, and a mask's class ids turned
 * into coloured, semi-transparent pixels.
 *
 * A boxes file (`media/metadata/boxes2D/*.boxes2D.json`) holds `{"box_data": [box...],
 * "class_labels": {id: name}}`; a box has `position` = `{minX, maxX, minY, maxY}` or
 * `{middle: [x, y], width, height}`, in pixels when `domain` is `"pixel"` and else as
 * fractions of the image (0..1), and optionally `class_id`, `box_caption` and `scores`.
 * A mask file is a greyscale PNG whose pixel value is the class id. */

import { PALETTE } from './colors';

export interface Box {
  /** `{minX, maxX, minY, maxY}` or `{middle, width, height}`. */
  position: Record<string, unknown>;
  domain?: 'pixel';
  class_id?: number;
  box_caption?: string;
  scores?: Record<string, number>;
}

export interface BoxesFile {
  box_data: Box[];
  class_labels: Record<string, string>;
}

/** A box on the image, each field a fraction of the image's width or height. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The content of a boxes file checked; an `Error` naming the first problem when it is not one. */
export function parseBoxes(raw: unknown): BoxesFile {
  if (!isRecord(raw) || !Array.isArray(raw.box_data)) throw new Error('boxes file: box_data must be a list of boxes');
  const labels: Record<string, string> = {};
  if (raw.class_labels !== undefined && raw.class_labels !== null) {
    if (!isRecord(raw.class_labels)) throw new Error('boxes file: class_labels must map class ids to names');
    for (const [id, name] of Object.entries(raw.class_labels)) labels[id] = String(name);
  }
  const boxes = raw.box_data.map((box: unknown, i: number): Box => {
    if (!isRecord(box) || !isRecord(box.position)) throw new Error(`boxes file: box ${i} has no position`);
    const out: Box = { position: box.position };
    if (box.domain === 'pixel') out.domain = 'pixel';
    if (isNumber(box.class_id)) out.class_id = box.class_id;
    if (typeof box.box_caption === 'string') out.box_caption = box.box_caption;
    if (isRecord(box.scores)) out.scores = Object.fromEntries(Object.entries(box.scores).filter((e): e is [string, number] => isNumber(e[1])));
    return out;
  });
  return { box_data: boxes, class_labels: labels };
}

/**
 * Where a box lies on an image of `width` x `height` pixels, as fractions of that size (corners
 * given in either order are put in order). Null when the position is neither form, or when the
 * box is in pixels and the image size is unknown (0).
 */
export function boxRect(box: Box, width: number, height: number): Rect | null {
  const p = box.position;
  let x0: number, x1: number, y0: number, y1: number;
  if (isNumber(p.minX) && isNumber(p.maxX) && isNumber(p.minY) && isNumber(p.maxY)) {
    [x0, x1, y0, y1] = [p.minX, p.maxX, p.minY, p.maxY];
  } else if (Array.isArray(p.middle) && isNumber(p.middle[0]) && isNumber(p.middle[1]) && isNumber(p.width) && isNumber(p.height)) {
    const [mx, my] = p.middle as [number, number];
    [x0, x1, y0, y1] = [mx - p.width / 2, mx + p.width / 2, my - p.height / 2, my + p.height / 2];
  } else {
    return null;
  }
  let sx = 1;
  let sy = 1;
  if (box.domain === 'pixel') {
    if (!(width > 0) || !(height > 0)) return null;
    sx = width;
    sy = height;
  }
  const left = Math.min(x0, x1) / sx;
  const top = Math.min(y0, y1) / sy;
  return { x: left, y: top, w: Math.max(x0, x1) / sx - left, h: Math.max(y0, y1) / sy - top };
}

/** The name of a class: its label, else `class <id>`. */
export function className(id: number, labels: Record<string, string>): string {
  return labels[String(id)] ?? `class ${id}`;
}

/** The text drawn on a box: its caption, else its class's name (empty when it has neither). */
export function boxLabel(box: Box, labels: Record<string, string>): string {
  if (box.box_caption !== undefined) return box.box_caption;
  return box.class_id === undefined ? '' : className(box.class_id, labels);
}

/** The hover text of a box: class, caption and scores, one per line. */
export function boxTitle(box: Box, labels: Record<string, string>): string {
  const lines: string[] = [];
  if (box.class_id !== undefined) lines.push(className(box.class_id, labels));
  if (box.box_caption !== undefined && box.box_caption !== lines[0]) lines.push(box.box_caption);
  for (const [name, score] of Object.entries(box.scores ?? {})) lines.push(`${name}: ${score}`);
  return lines.join('\n');
}

/** The colour of class `id` (any integer), from the fixed categorical palette, as `#rrggbb`. */
export function classColor(id: number): string {
  const n = PALETTE.length;
  return PALETTE[((Math.trunc(id) % n) + n) % n];
}

/** `#rrggbb` as `[r, g, b]`. */
export function hexRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** Class 0 is the background: mask pixels of it are left transparent until it is shown. */
export const BACKGROUND = 0;

/** Opacity (0..255) of a coloured mask pixel. */
export const MASK_ALPHA = 128;

/**
 * The class ids of a mask's RGBA pixels (as a greyscale PNG decodes: the id in the red
 * channel), ascending.
 */
export function maskClasses(rgba: ArrayLike<number>): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < rgba.length; i += 4) seen.add(rgba[i]);
  return [...seen].sort((a, b) => a - b);
}

/**
 * A mask's RGBA pixels coloured: each pixel takes its class's colour at `alpha`; pixels of a
 * class in `hidden` are transparent. The input is left unchanged.
 */
export function colorMask(rgba: ArrayLike<number>, hidden: ReadonlySet<number>, alpha = MASK_ALPHA): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(rgba.length);
  const colors = new Map<number, [number, number, number]>();
  for (let i = 0; i < rgba.length; i += 4) {
    const id = rgba[i];
    if (hidden.has(id)) continue;
    let c = colors.get(id);
    if (c === undefined) {
      c = hexRgb(classColor(id));
      colors.set(id, c);
    }
    out[i] = c[0];
    out[i + 1] = c[1];
    out[i + 2] = c[2];
    out[i + 3] = alpha;
  }
  return out;
}

/** The classes a legend lists: those with labels and those present, ascending, each once. */
export function legendClasses(labels: Record<string, string>, present: readonly number[]): number[] {
  const ids = new Set<number>(present);
  for (const k of Object.keys(labels)) if (/^-?\d+$/.test(k)) ids.add(Number(k));
  return [...ids].sort((a, b) => a - b);
}
