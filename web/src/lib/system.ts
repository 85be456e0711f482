/** System metrics (`system/...` series, stepped by seconds of runtime) on the run page. */

import type { KeyInfo } from './sections';

export const SYSTEM_PREFIX = 'system/';

export function isSystemKey(name: string): boolean {
  return name.startsWith(SYSTEM_PREFIX);
}

// CPU, then memory, disk, network and GPUs (by device number), as a machine is read.
const GROUPS = ['cpu', 'proc.cpu', 'memory', 'proc.memory', 'disk', 'network', 'gpu'];

function rank(metric: string): [number, number] {
  const group = GROUPS.findIndex((g) => metric === g || metric.startsWith(`${g}.`) || metric.startsWith(`${g}_`));
  const device = /^gpu\.(\d+)\./.exec(metric);
  return [group < 0 ? GROUPS.length : group, device ? Number(device[1]) : 0];
}

/** The scalar system keys among `keys`, in reading order (CPU, memory, disk, network, GPUs). */
export function systemKeys(keys: readonly KeyInfo[]): string[] {
  const names = keys.filter((k) => k.kind === 'scalar' && isSystemKey(k.name)).map((k) => k.name);
  return names.sort((a, b) => {
    const [ga, da] = rank(a.slice(SYSTEM_PREFIX.length));
    const [gb, db] = rank(b.slice(SYSTEM_PREFIX.length));
    return ga - gb || da - db || a.localeCompare(b);
  });
}
