import { describe, expect, it } from 'vitest';
import { countBatchFailures, scanReply } from './ws-load.js';

describe('scanReply', () => {
  it('reads id and ok from the front of a reply without parsing the rest', () => {
    expect(scanReply('{"id":42,"ok":true,"result":{"key":"k","value":"v","version":1}}')).toEqual({
      id: 42,
      ok: true,
    });
    expect(scanReply('{"id":7,"ok":false,"error":{"code":"KEY_NOT_FOUND","message":"m"}}')).toEqual({
      id: 7,
      ok: false,
    });
  });

  it('falls back to JSON.parse when fields come in another order', () => {
    expect(scanReply('{"ok":true,"id":3,"result":{}}')).toEqual({ id: 3, ok: true });
    expect(scanReply('{"id":"s","ok":true}')).toEqual({ id: undefined, ok: true });
  });
});

describe('countBatchFailures', () => {
  it('counts failed replies in a batch reply', () => {
    const reply =
      '[{"id":1,"ok":true,"result":{}},{"id":2,"ok":false,"error":{}},{"id":3,"ok":false,"error":{}}]';
    expect(countBatchFailures(reply, 3)).toBe(2);
  });

  it('counts a whole batch as failed when the reply is not an array', () => {
    expect(countBatchFailures('{"id":null,"ok":false,"error":{"code":"TOO_LARGE"}}', 100)).toBe(100);
  });
});
