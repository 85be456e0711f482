import { describe, expect, it } from 'vitest';
import { chartHeight, DEFAULT_CHART_HEIGHT, dragHeight, MAX_CHART_HEIGHT, MIN_CHART_HEIGHT } from './resize';

describe('dragHeight', () => {
  it('adds the drag, within bounds, in whole pixels', () => {
    expect(dragHeight(210, 40.6)).toBe(251);
    expect(dragHeight(210, -500)).toBe(MIN_CHART_HEIGHT);
    expect(dragHeight(210, 5000)).toBe(MAX_CHART_HEIGHT);
  });
});

describe('chartHeight', () => {
  it('reads stored heights and falls back to the default', () => {
    expect(chartHeight(300)).toBe(300);
    expect(chartHeight(undefined)).toBe(DEFAULT_CHART_HEIGHT);
    expect(chartHeight('tall')).toBe(DEFAULT_CHART_HEIGHT);
    expect(chartHeight(NaN)).toBe(DEFAULT_CHART_HEIGHT);
    expect(chartHeight(10)).toBe(MIN_CHART_HEIGHT);
  });
});
