/**
 * A workspace saved on the server as a named view (docs/http-api.md, "Saved workspace views").
 *
 * The server keeps the JSON object opaque; its shape is this module's: `format`, the settings the
 * URL carries (as the query string `buildHash` writes, so every URL setting is covered) and the
 * layout the project state keeps in local storage (hidden and pinned runs, collapsed sections,
 * panel sizes, extra keys, columns, "show archived").
 */

import { buildHash, parseSettings, type ViewSettings } from './route';

export const VIEW_FORMAT = 1;
/** The server's limit on a view name. */
export const MAX_VIEW_NAME = 128;

export interface ViewContent {
  settings: ViewSettings;
  layout: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The query string of the settings that differ from the defaults ('' when none do). */
export function settingsQuery(settings: ViewSettings): string {
  const hash = buildHash({ page: 'projects' }, settings);
  const at = hash.indexOf('?');
  return at < 0 ? '' : hash.slice(at + 1);
}

/** The JSON object saved for a view of the current workspace. */
export function captureView(settings: ViewSettings, layout: Record<string, unknown>): Record<string, unknown> {
  return { format: VIEW_FORMAT, query: settingsQuery(settings), layout };
}

/** A saved view's settings and layout; anything missing or malformed falls back to defaults. */
export function readView(saved: unknown): ViewContent {
  const obj = isObject(saved) ? saved : {};
  return {
    settings: parseSettings(typeof obj.query === 'string' ? obj.query : ''),
    layout: isObject(obj.layout) ? obj.layout : {},
  };
}

/** Why `name` cannot be a view's name, or null when it can. */
export function viewNameProblem(name: string): string | null {
  if (!name.trim()) return 'Give the view a name.';
  if (name.length > MAX_VIEW_NAME) return `A view name is at most ${MAX_VIEW_NAME} characters.`;
  if (/[\u0000-\u001f\u007f-\u009f]/.test(name)) return 'A view name cannot hold control characters.';
  return null;
}
