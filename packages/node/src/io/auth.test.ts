import { describe, expect, it } from 'vitest';
import { Access } from './auth.js';

const base = {
  token: undefined,
  allowOrigins: [],
  host: '127.0.0.1',
  port: 7001,
  advertise: '127.0.0.1:7001',
};

describe('Access: token', () => {
  const access = new Access({ ...base, token: 's3cret' });

  it('accepts the bearer header, the query parameter and the cookie', () => {
    expect(access.tokenSource({ authorization: 'Bearer s3cret' }, '/read/k')).toBe('header');
    expect(access.tokenSource({}, '/ws?token=s3cret')).toBe('query');
    expect(access.tokenSource({ cookie: 'a=b; ringkv_token=s3cret' }, '/')).toBe('cookie');
  });

  it('refuses missing, wrong and malformed tokens', () => {
    expect(access.tokenSource({}, '/read/k')).toBeUndefined();
    expect(access.tokenSource({ authorization: 'Bearer nope' }, '/read/k')).toBeUndefined();
    expect(access.tokenSource({ authorization: 's3cret' }, '/read/k')).toBeUndefined();
    expect(access.tokenSource({}, '/ws?token=s3cre')).toBeUndefined();
    expect(access.tokenSource({ cookie: 'ringkv_token=%zz' }, '/')).toBeUndefined();
  });

  it('requires nothing without a token', () => {
    expect(new Access(base).tokenSource({}, '/')).toBe('none-required');
  });
});

describe('Access: origin', () => {
  it('lets non-browser clients through and browsers only from the node itself', () => {
    const access = new Access(base);
    expect(access.originAllowed(undefined, undefined)).toBe(true);
    expect(access.originAllowed('http://127.0.0.1:7001', '127.0.0.1:7001')).toBe(true);
    expect(access.originAllowed('http://localhost:7001', 'localhost:7001')).toBe(true);
    expect(access.originAllowed('http://localhost:7002', 'localhost:7001')).toBe(false);
    expect(access.originAllowed('http://evil.example', '127.0.0.1:7001')).toBe(false);
    expect(access.originAllowed('null', '127.0.0.1:7001')).toBe(false);
    // DNS rebinding: the attacker's name resolves to us, so Host matches Origin; we still refuse it.
    expect(access.originAllowed('http://evil.example:7001', 'evil.example:7001')).toBe(false);
  });

  it('honours --allow-origin and *', () => {
    expect(
      new Access({ ...base, allowOrigins: ['http://localhost:5173'] }).originAllowed(
        'http://localhost:5173',
        'x',
      ),
    ).toBe(true);
    expect(new Access({ ...base, allowOrigins: ['*'] }).originAllowed('http://anything.example', 'x')).toBe(
      true,
    );
  });

  it('on a wildcard address, matches the Host the browser used', () => {
    const access = new Access({ ...base, host: '0.0.0.0', advertise: 'db1.internal:7001' });
    expect(access.originAllowed('http://db1.internal:7001', 'db1.internal:7001')).toBe(true);
    expect(access.originAllowed('http://evil.example', 'db1.internal:7001')).toBe(false);
  });
});
