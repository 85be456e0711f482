import { describe, expect, it } from 'vitest';
import { BASIC, applySgr, markMatches, palette256, parseAnsi, plainText, styleCss } from './ansi';

describe('parseAnsi', () => {
  it('returns plain text as one unstyled segment', () => {
    expect(parseAnsi('epoch 1 loss 0.5')).toEqual([{ text: 'epoch 1 loss 0.5', style: {} }]);
  });

  it('styles the 16 basic colours, bright ones and backgrounds', () => {
    expect(parseAnsi('\x1b[31mred\x1b[0m plain \x1b[92;44mbright\x1b[39;49m')).toEqual([
      { text: 'red', style: { fg: BASIC[1] } },
      { text: ' plain ', style: {} },
      { text: 'bright', style: { fg: BASIC[10], bg: BASIC[4] } },
    ]);
  });

  it('reads 256-colour and truecolor codes', () => {
    expect(parseAnsi('\x1b[38;5;196ma\x1b[48;2;1;2;255mb')).toEqual([
      { text: 'a', style: { fg: '#ff0000' } },
      { text: 'b', style: { fg: '#ff0000', bg: '#0102ff' } },
    ]);
  });

  it('keeps bold until it is reset, and resets with an empty code', () => {
    expect(parseAnsi('\x1b[1mbold \x1b[33mand yellow\x1b[22m yellow\x1b[m none')).toEqual([
      { text: 'bold ', style: { bold: true } },
      { text: 'and yellow', style: { bold: true, fg: BASIC[3] } },
      { text: ' yellow', style: { fg: BASIC[3] } },
      { text: ' none', style: {} },
    ]);
  });

  it('drops escape sequences that are not colours', () => {
    expect(plainText('\x1b[2K\x1b[1Gdone\x1b]0;title\x07!')).toBe('done!');
  });

  it('leaves markup as text', () => {
    const segs = parseAnsi('<img src=x onerror=alert(1)> \x1b[1m<b>');
    expect(segs.map((s) => s.text)).toEqual(['<img src=x onerror=alert(1)> ', '<b>']);
  });

  it('ignores out-of-range colours without breaking the line', () => {
    expect(parseAnsi('\x1b[38;5;999mx\x1b[38;2;300;0;0my')).toEqual([
      { text: 'x', style: {} },
      { text: 'y', style: {} },
    ]);
  });
});

describe('palette256', () => {
  it('maps the cube and the greys', () => {
    expect(palette256(16)).toBe('#000000');
    expect(palette256(231)).toBe('#ffffff');
    expect(palette256(232)).toBe('#080808');
    expect(palette256(255)).toBe('#eeeeee');
    expect(palette256(9)).toBe(BASIC[9]);
    expect(palette256(256)).toBeUndefined();
  });
});

describe('applySgr', () => {
  it('turns attributes on and off', () => {
    const on = applySgr({}, '3;4;7');
    expect(on).toEqual({ italic: true, underline: true, inverse: true });
    expect(applySgr(on, '23;24;27')).toEqual({});
  });
});

describe('markMatches', () => {
  it('marks case-insensitive matches across styles', () => {
    const segs = markMatches(parseAnsi('Loss \x1b[31mIS\x1b[0m high, loss is low'), 'loss is');
    expect(segs.filter((s) => s.mark).map((s) => s.text)).toEqual(['Loss ', 'IS', 'loss is']);
    expect(segs.map((s) => s.text).join('')).toBe('Loss IS high, loss is low');
    expect(segs[1].style).toEqual({ fg: BASIC[1] });
  });

  it('leaves segments alone without a query or a match', () => {
    const segs = parseAnsi('abc');
    expect(markMatches(segs, '')).toBe(segs);
    expect(markMatches(segs, 'zzz')).toBe(segs);
  });
});

describe('styleCss', () => {
  it('writes colours and attributes; inverse swaps them', () => {
    expect(styleCss({ fg: '#ff0000', bold: true, underline: true })).toBe('color:#ff0000;font-weight:700;text-decoration:underline');
    expect(styleCss({ fg: '#ff0000', inverse: true })).toBe('color:var(--bg, #ffffff);background:#ff0000');
  });
});
