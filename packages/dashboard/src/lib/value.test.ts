import { describe, expect, it } from 'vitest';
import { parseValue } from './value.js';

describe('parseValue', () => {
  it('reads JSON when the text is JSON', () => {
    expect(parseValue('{"name":"Ada"}')).toEqual({ name: 'Ada' });
    expect(parseValue('42')).toBe(42);
    expect(parseValue('"quoted"')).toBe('quoted');
    expect(parseValue('null')).toBeNull();
  });

  it('takes any other text as a string, as the CLI does', () => {
    expect(parseValue('hello world')).toBe('hello world');
    expect(parseValue('{broken')).toBe('{broken');
    expect(parseValue('')).toBe('');
  });
});
