import { describe, expect, it } from 'vitest';
import { formatAgo, formatDuration, formatExact, formatNumber, formatTime, formatValue, toNumber } from './format';

describe('toNumber', () => {
  it('decodes the JSON spellings of NaN and infinities', () => {
    expect(toNumber('NaN')).toBeNaN();
    expect(toNumber('Infinity')).toBe(Infinity);
    expect(toNumber('-Infinity')).toBe(-Infinity);
    expect(toNumber(1.5)).toBe(1.5);
    expect(toNumber('x')).toBeNull();
  });
});

describe('formatNumber', () => {
  it('keeps integers whole', () => expect(formatNumber(1234)).toBe('1234'));
  it('rounds to 4 significant digits', () => expect(formatNumber(0.123456)).toBe('0.1235'));
  it('uses exponents for tiny and huge values', () => {
    expect(formatNumber(0.00001234)).toBe('1.234e-5');
    expect(formatNumber(12345678.9)).toBe('1.235e+7');
  });
  it('names non-finite values', () => {
    expect(formatNumber(NaN)).toBe('NaN');
    expect(formatNumber(-Infinity)).toBe('-Infinity');
    expect(formatNumber(null)).toBe('');
  });
});

describe('formatValue', () => {
  it('shows strings, booleans and objects', () => {
    expect(formatValue('adam')).toBe('adam');
    expect(formatValue(true)).toBe('true');
    expect(formatValue([1, 2])).toBe('[1,2]');
    expect(formatValue('Infinity')).toBe('Infinity');
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes, hours, days', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(65)).toBe('1m 5s');
    expect(formatDuration(3723)).toBe('1h 2m');
    expect(formatDuration(90000)).toBe('1d 1h');
    expect(formatDuration(null)).toBe('');
  });
});

describe('formatAgo', () => {
  it('says how long ago', () => {
    expect(formatAgo(100, 130)).toBe('just now');
    expect(formatAgo(100, 100 + 7200)).toBe('2h ago');
  });
});

describe('formatTime', () => {
  it('formats local date and time, optionally with seconds', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5).getTime() / 1000;
    expect(formatTime(t)).toBe('2026-01-02 03:04');
    expect(formatTime(t, true)).toBe('2026-01-02 03:04:05');
    expect(formatTime(null)).toBe('');
  });
});

describe('formatExact', () => {
  it('keeps 7 significant digits', () => {
    expect(formatExact(0.1234567891)).toBe('0.1234568');
    expect(formatExact(3)).toBe('3');
    expect(formatExact(1.5e-7)).toBe('1.5e-7');
    expect(formatExact(NaN)).toBe('NaN');
  });
});
