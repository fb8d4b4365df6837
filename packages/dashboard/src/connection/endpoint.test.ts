import { describe, expect, it } from 'vitest';
import { endpointFor, httpHeaders, reconnectDelayMs } from './endpoint.js';

describe('endpointFor', () => {
  it('talks to the node that served the page', () => {
    const endpoint = endpointFor({ protocol: 'http:', host: '127.0.0.1:7001', search: '' });
    expect(endpoint).toEqual({
      webSocketUrl: 'ws://127.0.0.1:7001/ws',
      httpBase: 'http://127.0.0.1:7001',
      token: null,
      host: '127.0.0.1:7001',
    });
    expect(httpHeaders(endpoint, false)).toEqual({});
  });

  it('carries ?token= to the WebSocket URL and as an HTTP bearer token', () => {
    const endpoint = endpointFor({
      protocol: 'https:',
      host: 'kv.example:443',
      search: '?token=s%20cret&x=1',
    });
    expect(endpoint.webSocketUrl).toBe('wss://kv.example:443/ws?token=s%20cret');
    expect(endpoint.token).toBe('s cret');
    expect(httpHeaders(endpoint, true)).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer s cret',
    });
  });

  it('treats an empty token as none', () => {
    expect(endpointFor({ protocol: 'http:', host: 'h:1', search: '?token=' }).token).toBeNull();
  });
});

describe('reconnectDelayMs', () => {
  it('doubles from the minimum and stops at the maximum', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((attempt) => reconnectDelayMs(attempt, 250, 5000))).toEqual([
      250, 500, 1000, 2000, 4000, 5000, 5000,
    ]);
  });
});
