import { describe, expect, it } from 'vitest';
import { fileName } from './download';

describe('fileName', () => {
  it('keeps letters, digits, dashes and underscores', () => {
    expect(fileName('train/loss', 'png')).toBe('train_loss.png');
    expect(fileName('<img src=x>', 'csv')).toBe('_img_src_x_.csv');
    expect(fileName('', 'csv')).toBe('chart.csv');
  });
});
