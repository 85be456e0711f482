import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listProjects, setUnauthorizedHandler, signIn, signOut, updateProject } from './client';

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

const KEY = 'tb_abcd1234_' + 'x'.repeat(43);
let sent: Sent[];
let status: number;

function answer(url: string): unknown {
  if (url.endsWith('/sessions')) return { user: 'alice', csrf_token: 'csrf-1', entities: ['alice'] };
  if (url.endsWith('/projects')) return { projects: [] };
  return { entity: 'alice', name: 'p', archived: true };
}

beforeEach(() => {
  sent = [];
  status = 200;
  vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
    sent.push({ url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body: init?.body });
    const body = status === 200 ? answer(url) : { error: { type: 'Unauthorized', message: 'sign in' } };
    if (status === 204) return new Response(null, { status });
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  });
});

afterEach(async () => {
  status = 204;
  await signOut().catch(() => undefined);
  setUnauthorizedHandler(null);
  vi.unstubAllGlobals();
});

describe('the session', () => {
  it('sends the key only in the sign-in body, then the CSRF token with writes only', async () => {
    const me = await signIn(KEY);
    expect(me.user).toBe('alice');
    expect(sent[0].method).toBe('POST');
    expect(JSON.parse(String(sent[0].body))).toEqual({ key: KEY });
    await listProjects();
    await updateProject('alice', 'p', { archived: true });
    const [, read, write] = sent;
    expect(read.headers.get('X-CSRF-Token')).toBeNull();
    expect(write.headers.get('X-CSRF-Token')).toBe('csrf-1');
    expect(write.headers.get('Content-Type')).toBe('application/json');
    for (const s of sent.slice(1)) {
      expect(s.url).not.toContain(KEY);
      expect([...s.headers.values()].join(' ')).not.toContain(KEY);
      expect(String(s.body ?? '')).not.toContain(KEY);
    }
  });

  it('forgets the CSRF token on sign-out', async () => {
    await signIn(KEY);
    status = 204;
    await signOut();
    status = 200;
    await updateProject('alice', 'p', { archived: false });
    expect(sent.at(-1)?.headers.get('X-CSRF-Token')).toBeNull();
  });

  it('tells the app about a 401 so it shows the sign-in page', async () => {
    const seen: number[] = [];
    setUnauthorizedHandler(() => seen.push(1));
    status = 401;
    await expect(listProjects()).rejects.toThrow('sign in');
    expect(seen).toEqual([1]);
  });
});
