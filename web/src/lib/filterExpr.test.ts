import { describe, expect, it } from 'vitest';
import { compileFilter, escapeRegex, FilterError, filterContext, interpretQuery, looksLikeExpression } from './filterExpr';

const ctx = filterContext([
  { config: { lr: 0.1, optimizer: 'adam', state: 'x' }, summary: { val_acc: 0.9 } },
  { config: { batch: 32 }, summary: { loss: 1, lr: 2 } },
]);
const c = (s: string) => compileFilter(s, ctx);

function errorOf(s: string): FilterError {
  try {
    c(s);
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`no error for ${s}`);
}

describe('compileFilter', () => {
  it('compiles comparisons on config, summary and run fields', () => {
    expect(c('lr > 0.01')).toEqual({ 'config.lr': { $gt: 0.01 } });
    expect(c('val_acc >= 90')).toEqual({ 'summary_metrics.val_acc': { $gte: 90 } });
    expect(c('loss < 1e-3')).toEqual({ 'summary_metrics.loss': { $lt: 0.001 } });
    expect(c('state == "finished"')).toEqual({ state: { $eq: 'finished' } });
    expect(c("group != 'cnn'")).toEqual({ group: { $ne: 'cnn' } });
    expect(c('job_type = "train"')).toEqual({ jobType: { $eq: 'train' } });
    expect(c('name ~ "^brisk"')).toEqual({ displayName: { $regex: '^brisk' } });
    expect(c('id !~ "x$"')).toEqual({ name: { $not: { $regex: 'x$' } } });
    expect(c('created > "2024-01-01"')).toEqual({ createdAt: { $gt: '2024-01-01' } });
    expect(c('batch <= -2')).toEqual({ 'config.batch': { $lte: -2 } });
  });

  it('resolves bare names to config before summary, with prefixes to choose', () => {
    expect(c('lr == 2')).toEqual({ 'config.lr': { $eq: 2 } });
    expect(c('summary.lr == 2')).toEqual({ 'summary_metrics.lr': { $eq: 2 } });
    expect(c('config.state == "x"')).toEqual({ 'config.state': { $eq: 'x' } });
    expect(c('config.not_seen_yet > 1')).toEqual({ 'config.not_seen_yet': { $gt: 1 } });
    // Run fields win for bare names; a backquoted name skips them.
    expect(c('state == "x"')).toEqual({ state: { $eq: 'x' } });
    expect(c('`state` == "x"')).toEqual({ 'config.state': { $eq: 'x' } });
  });

  it('combines with and, or, not and parentheses with the usual precedence', () => {
    expect(c('lr > 0.01 and state == "finished"')).toEqual({
      $and: [{ 'config.lr': { $gt: 0.01 } }, { state: { $eq: 'finished' } }],
    });
    expect(c('val_acc >= 90 or group == "cnn" and lr < 1')).toEqual({
      $or: [{ 'summary_metrics.val_acc': { $gte: 90 } }, { $and: [{ group: { $eq: 'cnn' } }, { 'config.lr': { $lt: 1 } }] }],
    });
    expect(c('(val_acc >= 90 or group == "cnn") and not lr < 1')).toEqual({
      $and: [{ $or: [{ 'summary_metrics.val_acc': { $gte: 90 } }, { group: { $eq: 'cnn' } }] }, { $nor: [{ 'config.lr': { $lt: 1 } }] }],
    });
  });

  it('compiles contains, in, not in, booleans and null', () => {
    expect(c('tags contains "baseline"')).toEqual({ tags: 'baseline' });
    expect(c('notes contains "a.b"')).toEqual({ notes: { $regex: 'a\\.b' } });
    expect(c('optimizer in ["adam", "sgd"]')).toEqual({ 'config.optimizer': { $in: ['adam', 'sgd'] } });
    expect(c('batch not in [1, 2]')).toEqual({ 'config.batch': { $nin: [1, 2] } });
    expect(c('optimizer == true')).toEqual({ 'config.optimizer': { $eq: true } });
    expect(c('group == null')).toEqual({ group: { $exists: false } });
    expect(c('group != null')).toEqual({ group: { $exists: true } });
  });

  it('keeps regex escapes and reads escaped quotes', () => {
    expect(c('name ~ "^a\\d+$"')).toEqual({ displayName: { $regex: '^a\\d+$' } });
    expect(c('name == "say \\"hi\\""')).toEqual({ displayName: { $eq: 'say "hi"' } });
    expect(escapeRegex('a+b(c)')).toBe('a\\+b\\(c\\)');
  });

  it('reports errors with a position', () => {
    expect(errorOf('lr >')).toMatchObject({ pos: 4, message: expect.stringContaining('expected a value') });
    expect(errorOf('bogus > 1')).toMatchObject({ pos: 0, message: expect.stringContaining("unknown field 'bogus'") });
    expect(errorOf('lr > 1 and')).toMatchObject({ pos: 10, message: expect.stringContaining('expected a field name') });
    expect(errorOf('(lr > 1')).toMatchObject({ pos: 7, message: expect.stringContaining("expected ')'") });
    expect(errorOf('lr > 1 lr')).toMatchObject({ pos: 7 });
    expect(errorOf('name == "open')).toMatchObject({ pos: 8, message: 'unterminated string' });
    expect(errorOf('name ~ "("')).toMatchObject({ pos: 7, message: expect.stringContaining('bad regular expression') });
    expect(errorOf('lr $ 1')).toMatchObject({ pos: 3, message: "unexpected character '$'" });
    expect(errorOf('lr 1')).toMatchObject({ pos: 3, message: expect.stringContaining('expected an operator') });
  });
});

describe('interpretQuery', () => {
  it('treats plain words as a name search and expressions as filters', () => {
    expect(interpretQuery('', ctx)).toEqual({ kind: 'none' });
    expect(interpretQuery('brisk-fox', ctx)).toEqual({ kind: 'search', text: 'brisk-fox' });
    expect(interpretQuery('lr', ctx)).toEqual({ kind: 'search', text: 'lr' });
    const f = interpretQuery('lr > 0.5', ctx);
    expect(f).toEqual({ kind: 'filter', filter: { 'config.lr': { $gt: 0.5 } }, json: '{"config.lr":{"$gt":0.5}}' });
    expect(interpretQuery('lr >', ctx)).toMatchObject({ kind: 'error', pos: 4 });
    expect(interpretQuery('foo and bar', ctx)).toMatchObject({ kind: 'error', pos: 0 });
  });

  it('knows what looks like an expression', () => {
    expect(looksLikeExpression('run-1')).toBe(false);
    expect(looksLikeExpression('a > 1')).toBe(true);
    expect(looksLikeExpression('not x')).toBe(true);
    expect(looksLikeExpression('android')).toBe(false);
  });
});
