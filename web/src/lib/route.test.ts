import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, buildHash, parseHash } from './route';

describe('parseHash', () => {
  it('reads the project list', () => {
    expect(parseHash('').route).toEqual({ page: 'projects' });
    expect(parseHash('#/').route).toEqual({ page: 'projects' });
  });
  it('reads a workspace and a run page', () => {
    expect(parseHash('#/p/me/mnist').route).toEqual({ page: 'workspace', entity: 'me', project: 'mnist' });
    expect(parseHash('#/p/me/mnist/runs/ab12').route).toEqual({
      page: 'run', entity: 'me', project: 'mnist', runId: 'ab12',
    });
  });
  it('reads the sweeps list and a sweep page, and builds them back', () => {
    const list = parseHash('#/p/me/mnist/sweeps').route;
    expect(list).toEqual({ page: 'sweeps', entity: 'me', project: 'mnist' });
    const one = parseHash('#/p/me/mnist/sweeps/s%2F1').route;
    expect(one).toEqual({ page: 'sweep', entity: 'me', project: 'mnist', sweepId: 's/1' });
    expect(buildHash(one)).toBe('#/p/me/mnist/sweeps/s%2F1');
    expect(buildHash(list)).toBe('#/p/me/mnist/sweeps');
  });
  it('reads settings and ignores bad ones', () => {
    const s = parseHash('#/p/me/x?smooth=gaussian&w=3&q=loss').settings;
    expect(s).toEqual({ ...DEFAULT_SETTINGS, smoothing: { kind: 'gaussian', weight: 3 }, search: 'loss' });
    expect(parseHash('#/p/me/x?x=_runtime').settings.xAxis).toBe('_runtime');
    expect(parseHash('#/p/me/x?x=epoch').settings.xAxis).toBe('epoch');
    expect(parseHash('#/p/me/x?x=_secret').settings.xAxis).toBe('_step');
    expect(parseHash('#/p/me/x?smooth=evil&w=zz').settings).toEqual(DEFAULT_SETTINGS);
  });
});

describe('buildHash', () => {
  it('round-trips routes and settings', () => {
    const route = { page: 'run', entity: 'a b', project: 'p/q', runId: 'r1' } as const;
    const settings = {
      smoothing: { kind: 'ema', weight: 0.6 },
      search: 'val/',
      xAxis: '_timestamp',
      groupBy: 'config.opt/name',
      band: 'std',
      groupRuns: true,
    } as const;
    const h = buildHash(route, settings);
    expect(parseHash(h)).toEqual({ route, settings });
  });
  it('reads grouping settings and ignores bad ones', () => {
    const s = parseHash('#/p/me/x?g=job_type&band=std&gruns=1').settings;
    expect([s.groupBy, s.band, s.groupRuns]).toEqual(['job_type', 'std', true]);
    const bad = parseHash('#/p/me/x?g=evil&band=wide&gruns=yes').settings;
    expect([bad.groupBy, bad.band, bad.groupRuns]).toEqual(['', 'minmax', false]);
  });
  it('leaves defaults out of the URL', () => {
    expect(buildHash({ page: 'workspace', entity: 'e', project: 'p' })).toBe('#/p/e/p');
  });
});
