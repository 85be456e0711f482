/** Decoding of the binary series format (docs/http-api.md, "Series (binary)") with zero-copy views. */

import type { RunSeries, SeriesData } from '../lib/series';

interface Header {
  key: string;
  x_axis: string;
  width: number;
  approximate: boolean;
  total: number;
  runs: { id: string; offset: number; n: number }[];
}

const pad8 = (n: number) => Math.ceil(n / 8) * 8;

export function decodeSeries(buf: ArrayBuffer): SeriesData {
  const view = new DataView(buf);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headerLength))) as Header;
  const n = header.total;
  let at = pad8(4 + headerLength);
  const x = new Float64Array(buf, at, n);
  at += pad8(n * 8);
  const f32 = () => {
    const a = new Float32Array(buf, at, n);
    at += pad8(n * 4);
    return a;
  };
  const last = f32();
  const min = f32();
  const max = f32();
  const mean = f32();
  const flags = new Uint8Array(buf, at, n);
  const runs: RunSeries[] = header.runs.map((r) => {
    const s = r.offset;
    const e = r.offset + r.n;
    return {
      id: r.id,
      x: x.subarray(s, e),
      last: last.subarray(s, e),
      min: min.subarray(s, e),
      max: max.subarray(s, e),
      mean: mean.subarray(s, e),
      flags: flags.subarray(s, e),
    };
  });
  return {
    key: header.key,
    xAxis: header.x_axis,
    width: header.width,
    approximate: header.approximate,
    total: n,
    runs,
  };
}

/** The inverse of `decodeSeries`, for tests and mocks. */
export function encodeSeries(
  meta: { key: string; x_axis?: string; width?: number; approximate?: boolean },
  runs: { id: string; x: number[]; last: number[]; min?: number[]; max?: number[]; mean?: number[]; flags?: number[] }[],
): ArrayBuffer {
  const total = runs.reduce((a, r) => a + r.x.length, 0);
  let offset = 0;
  const header = {
    key: meta.key,
    x_axis: meta.x_axis ?? '_step',
    width: meta.width ?? 1,
    approximate: meta.approximate ?? false,
    total,
    runs: runs.map((r) => {
      const h = { id: r.id, offset, n: r.x.length };
      offset += r.x.length;
      return h;
    }),
  };
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  while ((4 + enc.encode(json).length) % 8 !== 0) json += ' ';
  const hb = enc.encode(json);
  const size = 4 + hb.length + pad8(total * 8) + 4 * pad8(total * 4) + pad8(total);
  const buf = new ArrayBuffer(size);
  new DataView(buf).setUint32(0, hb.length, true);
  new Uint8Array(buf, 4, hb.length).set(hb);
  let at = 4 + hb.length;
  new Float64Array(buf, at, total).set(runs.flatMap((r) => r.x));
  at += pad8(total * 8);
  for (const col of ['last', 'min', 'max', 'mean'] as const) {
    new Float32Array(buf, at, total).set(runs.flatMap((r) => r[col] ?? r.last));
    at += pad8(total * 4);
  }
  new Uint8Array(buf, at, total).set(runs.flatMap((r) => r.flags ?? r.x.map(() => 0)));
  return buf;
}
