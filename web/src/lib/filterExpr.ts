/**
 * The runs table's filter expressions, compiled to the MongoDB-style filter JSON that
 * `GET .../runs?filter=` accepts (one filter syntax tree on the server serves both, DECISIONS 20).
 *
 *   lr > 0.01 and state == "finished"
 *   tags contains "baseline" or not (group == "cnn")
 *   name ~ "^brisk"            (a regular expression; `!~` for "does not match")
 *   job_type in ["train", "eval"]
 *
 * Run fields: state, group, job_type, tags, name (the display name), id, created, host, notes,
 * sweep, runtime. Any other bare name is a config key, else a summary key; `config.` and
 * `summary.` prefixes say which.
 */

export type Filter = Record<string, unknown>;

export class FilterError extends Error {
  constructor(
    message: string,
    /** Offset (0-based) into the expression where the problem is. */
    readonly pos: number,
  ) {
    super(message);
  }
}

export interface FilterContext {
  configKeys: ReadonlySet<string>;
  summaryKeys: ReadonlySet<string>;
}

/** Run fields by the names users type, to the server's field names. */
export const RUN_FIELDS: Readonly<Record<string, string>> = {
  state: 'state',
  group: 'group',
  job_type: 'jobType',
  jobType: 'jobType',
  tags: 'tags',
  name: 'displayName',
  id: 'name',
  created: 'createdAt',
  created_at: 'createdAt',
  host: 'host',
  notes: 'notes',
  sweep: 'sweep',
  runtime: 'runtime',
};

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  pos: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'contains', 'in', 'true', 'false', 'null']);
const OPERATORS = ['==', '!=', '>=', '<=', '!~', '>', '<', '~', '='];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let s = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) {
          const n = src[i + 1];
          // Keep backslashes other than before a quote or backslash, so regexes read as typed.
          s += n === c || n === '\\' ? n : `\\${n}`;
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) throw new FilterError('unterminated string', start);
      i++;
      out.push({ kind: 'string', text: src.slice(start, i), value: s, pos: start });
      continue;
    }
    if (c === '`') {
      const end = src.indexOf('`', i + 1);
      if (end < 0) throw new FilterError('unterminated `name`', start);
      i = end + 1;
      out.push({ kind: 'ident', text: src.slice(start, i), value: src.slice(start + 1, end), pos: start });
      continue;
    }
    const num = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(src.slice(i));
    if (num && (c !== '-' || !out.length || out[out.length - 1].kind === 'op' || out[out.length - 1].text === '(' || out[out.length - 1].text === '[' || out[out.length - 1].text === ',')) {
      const after = src[i + num[0].length];
      if (after === undefined || !/[A-Za-z_]/.test(after)) {
        i += num[0].length;
        out.push({ kind: 'number', text: num[0], value: Number(num[0]), pos: start });
        continue;
      }
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op) {
      i += op.length;
      out.push({ kind: 'op', text: op === '=' ? '==' : op, pos: start });
      continue;
    }
    if ('()[],'.includes(c)) {
      i++;
      out.push({ kind: 'punct', text: c, pos: start });
      continue;
    }
    const id = /^[A-Za-z_][\w.\-/]*/.exec(src.slice(i));
    if (id) {
      // A trailing '-' or '.' belongs to what follows, not to the name.
      const text = id[0].replace(/[.\-/]+$/, '');
      i += text.length;
      out.push({ kind: 'ident', text, value: text, pos: start });
      continue;
    }
    throw new FilterError(`unexpected character '${c}'`, start);
  }
  out.push({ kind: 'end', text: '', pos: src.length });
  return out;
}

const isWord = (t: Token, w: string) => t.kind === 'ident' && t.text === w && t.value === w;

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: FilterContext,
  ) {}

  private get tok(): Token {
    return this.tokens[this.i];
  }

  private punct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'the end' : `'${t.text}'`;
  }

  parse(): Filter {
    const f = this.or();
    if (this.tok.kind !== 'end') throw new FilterError(`expected 'and', 'or' or the end, found ${this.describe(this.tok)}`, this.tok.pos);
    return f;
  }

  private or(): Filter {
    const items = [this.and()];
    while (isWord(this.tok, 'or')) {
      this.i++;
      items.push(this.and());
    }
    return items.length === 1 ? items[0] : { $or: items };
  }

  private and(): Filter {
    const items = [this.unary()];
    while (isWord(this.tok, 'and')) {
      this.i++;
      items.push(this.unary());
    }
    return items.length === 1 ? items[0] : { $and: items };
  }

  private unary(): Filter {
    if (isWord(this.tok, 'not')) {
      this.i++;
      return { $nor: [this.unary()] };
    }
    if (this.punct('(')) {
      const open = this.tok;
      this.i++;
      const inner = this.or();
      if (!this.punct(')'))
        throw new FilterError(`expected ')' to close the '(' at ${open.pos + 1}, found ${this.describe(this.tok)}`, this.tok.pos);
      this.i++;
      return inner;
    }
    return this.comparison();
  }

  private field(): { name: string; field: string } {
    const t = this.tok;
    if (t.kind !== 'ident' || (t.text === t.value && KEYWORDS.has(t.text)))
      throw new FilterError(`expected a field name, found ${this.describe(t)}`, t.pos);
    this.i++;
    const name = String(t.value);
    const quoted = t.text !== t.value;
    if (!quoted && RUN_FIELDS[name]) return { name, field: RUN_FIELDS[name] };
    if (name.startsWith('config.') && name.length > 7) return { name, field: name };
    if (name.startsWith('summary.') && name.length > 8) return { name, field: `summary_metrics.${name.slice(8)}` };
    if (name.startsWith('summary_metrics.') && name.length > 16) return { name, field: name };
    if (this.ctx.configKeys.has(name)) return { name, field: `config.${name}` };
    if (this.ctx.summaryKeys.has(name)) return { name, field: `summary_metrics.${name}` };
    throw new FilterError(`unknown field '${name}': not a run field, config key or summary key`, t.pos);
  }

  private value(): unknown {
    const t = this.tok;
    if (t.kind === 'string' || t.kind === 'number') {
      this.i++;
      return t.value;
    }
    if (t.kind === 'ident' && t.text === t.value && ['true', 'false', 'null'].includes(t.text)) {
      this.i++;
      return t.text === 'null' ? null : t.text === 'true';
    }
    throw new FilterError(`expected a value (a number, "text", true, false or null), found ${this.describe(t)}`, t.pos);
  }

  private list(): unknown[] {
    const t = this.tok;
    if (!(t.kind === 'punct' && t.text === '[')) throw new FilterError(`expected a list like ["a", "b"], found ${this.describe(t)}`, t.pos);
    this.i++;
    const items: unknown[] = [];
    while (!this.punct(']')) {
      items.push(this.value());
      if (this.punct(',')) this.i++;
      else if (!this.punct(']'))
        throw new FilterError(`expected ',' or ']', found ${this.describe(this.tok)}`, this.tok.pos);
    }
    this.i++;
    return items;
  }

  private comparison(): Filter {
    const { field } = this.field();
    const t = this.tok;
    if (isWord(t, 'not') && isWord(this.tokens[this.i + 1], 'in')) {
      this.i += 2;
      return { [field]: { $nin: this.list() } };
    }
    if (isWord(t, 'in')) {
      this.i++;
      return { [field]: { $in: this.list() } };
    }
    if (isWord(t, 'contains')) {
      this.i++;
      const vt = this.tok;
      const v = this.value();
      if (field === 'tags') return { tags: v };
      if (typeof v !== 'string') throw new FilterError('contains needs "text"', vt.pos);
      return { [field]: { $regex: escapeRegex(v) } };
    }
    if (t.kind !== 'op') throw new FilterError(`expected an operator (== != > >= < <= ~ !~ contains in), found ${this.describe(t)}`, t.pos);
    this.i++;
    const vt = this.tok;
    const v = this.value();
    switch (t.text) {
      case '==':
        return { [field]: v === null ? { $exists: false } : { $eq: v } };
      case '!=':
        return { [field]: v === null ? { $exists: true } : { $ne: v } };
      case '>':
        return { [field]: { $gt: v } };
      case '>=':
        return { [field]: { $gte: v } };
      case '<':
        return { [field]: { $lt: v } };
      case '<=':
        return { [field]: { $lte: v } };
      default: {
        if (typeof v !== 'string') throw new FilterError(`${t.text} needs a regular expression in quotes`, vt.pos);
        try {
          new RegExp(v);
        } catch (e) {
          throw new FilterError(`bad regular expression: ${e instanceof Error ? e.message : String(e)}`, vt.pos);
        }
        return t.text === '~' ? { [field]: { $regex: v } } : { [field]: { $not: { $regex: v } } };
      }
    }
  }
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compiles an expression; throws {@link FilterError} with a position. */
export function compileFilter(src: string, ctx: FilterContext): Filter {
  if (!src.trim()) return {};
  return new Parser(tokenize(src), ctx).parse();
}

/** Whether the text is meant as an expression rather than a plain name search. */
export function looksLikeExpression(src: string): boolean {
  return /[=<>~()"'[\]`]|!=|!~/.test(src) || /(^|\s)(and|or|not|contains|in)(\s|$)/.test(src.trim() ? ` ${src} ` : '');
}

export type FilterResult =
  | { kind: 'none' }
  | { kind: 'search'; text: string }
  | { kind: 'filter'; filter: Filter; json: string }
  | { kind: 'error'; message: string; pos: number };

/**
 * What the runs table's box holds: nothing, a plain name search, a compiled filter, or an
 * expression with an error. Text that does not compile and has no operators stays a search.
 */
export function interpretQuery(src: string, ctx: FilterContext): FilterResult {
  if (!src.trim()) return { kind: 'none' };
  try {
    const filter = compileFilter(src, ctx);
    return { kind: 'filter', filter, json: JSON.stringify(filter) };
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    if (!looksLikeExpression(src)) return { kind: 'search', text: src };
    return { kind: 'error', message: e.message, pos: e.pos };
  }
}

/** Config and summary keys over some runs, for resolving bare names. */
export function filterContext(runs: readonly { config: Record<string, unknown>; summary: Record<string, unknown> }[]): FilterContext {
  const configKeys = new Set<string>();
  const summaryKeys = new Set<string>();
  for (const r of runs) {
    for (const k of Object.keys(r.config ?? {})) configKeys.add(k);
    for (const k of Object.keys(r.summary ?? {})) summaryKeys.add(k);
  }
  return { configKeys, summaryKeys };
}
