import { describe, expect, it } from 'vitest';
import { buildSections, type KeyInfo } from './sections';
import { isSystemKey, systemKeys } from './system';

const key = (name: string, kind = 'scalar'): KeyInfo => ({ name, kind, runs: 1, max_count: 3, hidden: false, step_metric: null });

describe('systemKeys', () => {
  it('keeps scalar system keys in reading order', () => {
    const names = [
      'loss',
      'system/gpu.10.gpu',
      'system/network.sent',
      'system/gpu.2.temp',
      'system/memory_percent',
      'system/disk./.usagePercent',
      'system/cpu',
      'system/proc.memory.rssMB',
      'system/cpu_percent',
      'system/zeta',
    ];
    expect(systemKeys([...names.map((n) => key(n)), key('system/odd', 'other')])).toEqual([
      'system/cpu',
      'system/cpu_percent',
      'system/memory_percent',
      'system/proc.memory.rssMB',
      'system/disk./.usagePercent',
      'system/network.sent',
      'system/gpu.2.temp',
      'system/gpu.10.gpu',
      'system/zeta',
    ]);
  });

  it('tells system keys from logged ones', () => {
    expect(isSystemKey('system/cpu')).toBe(true);
    expect(isSystemKey('systemic/loss')).toBe(false);
    expect(isSystemKey('loss')).toBe(false);
  });
});

describe('buildSections', () => {
  it('leaves system metrics to the System section', () => {
    const sections = buildSections([key('loss'), key('system/cpu'), key('system/gpu.0.gpu')]);
    expect(sections.flatMap((s) => s.panels.map((p) => p.key))).toEqual(['loss']);
  });
});
