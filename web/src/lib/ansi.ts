/** ANSI SGR colours in console lines, as styled segments of plain text.
 *
 * A line is cut into segments at its escape sequences; each segment carries the style the SGR
 * codes before it set (16 colours, the 256-colour palette, truecolor, bold, dim, italic,
 * underline, inverse). Other escape sequences (cursor moves, window titles) are dropped. The
 * segments hold text only: the page inserts it as text, never as HTML. */

export interface AnsiStyle {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}

export interface Segment {
  text: string;
  style: AnsiStyle;
  /** Part of a search match. */
  mark?: boolean;
}

/** The 16 basic colours (normal, then bright), as a light-background terminal shows them. */
export const BASIC = [
  '#000000', '#cd3131', '#0dbc79', '#b58900', '#2472c8', '#bc3fbc', '#11a8cd', '#808080',
  '#666666', '#f14c4c', '#23d18b', '#c4a000', '#3b8eea', '#d670d6', '#29b8db', '#a0a0a0',
];

const hex = (n: number) => n.toString(16).padStart(2, '0');
const rgb = (r: number, g: number, b: number) => `#${hex(r)}${hex(g)}${hex(b)}`;

/** A colour of the 256-colour palette: 16 basic, a 6x6x6 cube, 24 greys. */
export function palette256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
  if (n < 16) return BASIC[n];
  if (n < 232) {
    const c = n - 16;
    const level = (v: number) => (v === 0 ? 0 : 55 + v * 40);
    return rgb(level(Math.floor(c / 36)), level(Math.floor(c / 6) % 6), level(c % 6));
  }
  const grey = 8 + (n - 232) * 10;
  return rgb(grey, grey, grey);
}

// CSI ... final byte, OSC ... BEL/ST, or a two-byte escape.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b(?:\[([0-?]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_]?)/g;

/** An extended colour (`38;5;n` / `38;2;r;g;b`) starting at `codes[i]`: the colour and how
 * many codes it used after the 38/48. */
function extended(codes: number[], i: number): [string | undefined, number] {
  const mode = codes[i + 1];
  if (mode === 5) return [palette256(codes[i + 2]), 2];
  if (mode === 2) {
    const [r, g, b] = [codes[i + 2], codes[i + 3], codes[i + 4]];
    const ok = [r, g, b].every((v) => Number.isInteger(v) && v >= 0 && v <= 255);
    return [ok ? rgb(r, g, b) : undefined, 4];
  }
  return [undefined, 1];
}

/** `style` after the SGR parameters `params` (`"1;31"`; empty means reset). */
export function applySgr(style: AnsiStyle, params: string): AnsiStyle {
  const codes = params === '' ? [0] : params.split(/[;:]/).map((p) => (p === '' ? 0 : Number(p)));
  let next: AnsiStyle = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c === 0) next = {};
    else if (c === 1) next.bold = true;
    else if (c === 2) next.dim = true;
    else if (c === 3) next.italic = true;
    else if (c === 4) next.underline = true;
    else if (c === 7) next.inverse = true;
    else if (c === 22) next.bold = next.dim = undefined;
    else if (c === 23) next.italic = undefined;
    else if (c === 24) next.underline = undefined;
    else if (c === 27) next.inverse = undefined;
    else if (c >= 30 && c <= 37) next.fg = BASIC[c - 30];
    else if (c >= 90 && c <= 97) next.fg = BASIC[c - 90 + 8];
    else if (c === 39) next.fg = undefined;
    else if (c >= 40 && c <= 47) next.bg = BASIC[c - 40];
    else if (c >= 100 && c <= 107) next.bg = BASIC[c - 100 + 8];
    else if (c === 49) next.bg = undefined;
    else if (c === 38 || c === 48) {
      const [colour, used] = extended(codes, i);
      if (c === 38) next.fg = colour;
      else next.bg = colour;
      i += used;
    }
  }
  for (const k of Object.keys(next) as (keyof AnsiStyle)[]) if (next[k] === undefined) delete next[k];
  return next;
}

/** The segments of `line`; adjacent text of one style is one segment, empty text none. */
export function parseAnsi(line: string): Segment[] {
  const out: Segment[] = [];
  let style: AnsiStyle = {};
  let last = 0;
  const push = (text: string) => {
    if (text) out.push({ text, style });
  };
  for (const m of line.matchAll(ESCAPE)) {
    push(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] === 'm') style = applySgr(style, m[1] ?? '');
  }
  push(line.slice(last));
  return out;
}

/** The plain text of a line: its segments' text. */
export function plainText(line: string): string {
  return parseAnsi(line)
    .map((s) => s.text)
    .join('');
}

/** `segments` cut where case-insensitive matches of `query` start and end, the matched
 * parts marked (a match may run over several styles). */
export function markMatches(segments: Segment[], query: string): Segment[] {
  const q = query.toLowerCase();
  if (!q) return segments;
  const text = segments.map((s) => s.text).join('');
  const lower = text.toLowerCase();
  const ranges: [number, number][] = [];
  // toLowerCase can change a string's length (rarely, outside ASCII): then mark nothing.
  if (lower.length === text.length) {
    for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length)) ranges.push([at, at + q.length]);
  }
  if (!ranges.length) return segments;
  const out: Segment[] = [];
  let pos = 0;
  for (const seg of segments) {
    const end = pos + seg.text.length;
    let cut = pos;
    for (const [a, b] of ranges) {
      if (b <= cut || a >= end) continue;
      const from = Math.max(a, cut);
      if (from > cut) out.push({ ...seg, text: text.slice(cut, from) });
      const to = Math.min(b, end);
      out.push({ ...seg, text: text.slice(from, to), mark: true });
      cut = to;
    }
    if (cut < end) out.push({ ...seg, text: text.slice(cut, end) });
    pos = end;
  }
  return out;
}

/** Inline CSS of a style (inverse swaps the colours, defaulting to the page's). */
export function styleCss(style: AnsiStyle): string {
  let fg = style.fg;
  let bg = style.bg;
  if (style.inverse) [fg, bg] = [bg ?? 'var(--bg, #ffffff)', fg ?? 'var(--text, #111111)'];
  const parts: string[] = [];
  if (fg) parts.push(`color:${fg}`);
  if (bg) parts.push(`background:${bg}`);
  if (style.bold) parts.push('font-weight:700');
  if (style.dim) parts.push('opacity:0.7');
  if (style.italic) parts.push('font-style:italic');
  if (style.underline) parts.push('text-decoration:underline');
  return parts.join(';');
}
