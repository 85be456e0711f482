import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from './csv';

describe('csvCell', () => {
  it('quotes commas, quotes and newlines', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('x\ny')).toBe('"x\ny"');
  });
  it('writes numbers, NaN and empty cells', () => {
    expect(csvCell(1.5)).toBe('1.5');
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(NaN)).toBe('NaN');
    expect(csvCell(null)).toBe('');
  });
  it('defuses spreadsheet formulas in text', () => {
    expect(csvCell('=1+1')).toBe("'=1+1");
  });
});

describe('toCsv', () => {
  it('joins a header and rows with CRLF', () => {
    expect(toCsv(['run', 'step'], [['a', 1]])).toBe('run,step\r\na,1\r\n');
  });
});
