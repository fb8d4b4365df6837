import { limits } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { launcherCandidates } from './launcher.js';

const at = (hostname: string, port: string, search = '') => ({ hostname, port, search });

describe('launcherCandidates', () => {
  it('asks at the lowest member port plus the launcher offset first, then at this page port plus it', () => {
    const members = ['127.0.0.1:7003', '127.0.0.1:7001', '127.0.0.1:7002'];
    expect(launcherCandidates(at('127.0.0.1', '7002'), members)).toEqual([
      `http://127.0.0.1:${7001 + limits.launcherControlPortOffset}`,
      `http://127.0.0.1:${7002 + limits.launcherControlPortOffset}`,
    ]);
    expect(launcherCandidates(at('localhost', '7001'), members)).toEqual([
      `http://localhost:${7001 + limits.launcherControlPortOffset}`,
    ]);
  });

  it('asks nothing for a cluster that is not on this machine', () => {
    expect(launcherCandidates(at('kv.example.com', '7001'), ['kv.example.com:7001'])).toEqual([]);
  });

  it('takes ?launcher= from the page URL as given', () => {
    expect(launcherCandidates(at('kv.example.com', '7001', '?launcher=http://127.0.0.1:9000/'), [])).toEqual([
      'http://127.0.0.1:9000',
    ]);
  });
});
