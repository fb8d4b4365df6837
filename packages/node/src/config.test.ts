import { limits } from '@ringkv/protocol';
import { describe, expect, it } from 'vitest';
import { ConfigError, nodeOptions, parseNodeConfig } from './config.js';

function problem(flags: Record<string, string | boolean>, env: Record<string, string> = {}): string {
  try {
    parseNodeConfig(flags, env, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(flags)} ${JSON.stringify(env)}`);
}

describe('parseNodeConfig', () => {
  it('fills defaults: 127.0.0.1:7001, id = advertise, data under ./data/PORT, SPEC quorums', () => {
    const config = parseNodeConfig({}, {}, '/srv');
    expect(config).toMatchObject({
      port: 7001,
      host: '127.0.0.1',
      advertise: '127.0.0.1:7001',
      nodeId: '127.0.0.1:7001',
      store: { dataDir: '/srv/data/7001' },
      join: [],
      vnodes: limits.vnodesDefault,
      replicationFactor: 3,
      readQuorum: 2,
      writeQuorum: 2,
      token: undefined,
      clusterName: 'ringkv',
      allowOrigins: [],
      logLevel: 'info',
      connectionsMax: limits.connectionsMax,
      requestsInflightMax: limits.requestsInflightPerConnectionMax,
    });
  });

  it('reads every option from its environment variable; a flag wins over its variable', () => {
    const env = {
      RINGKV_PORT: '7005',
      RINGKV_HOST: '::1',
      RINGKV_MEMORY: 'true',
      RINGKV_JOIN: '127.0.0.1:7001, 127.0.0.1:7002',
      RINGKV_VNODES: '64',
      RINGKV_REPLICATION_FACTOR: '5',
      RINGKV_READ_QUORUM: '3',
      RINGKV_WRITE_QUORUM: '3',
      RINGKV_CLUSTER_SECRET: 's',
      RINGKV_CLUSTER_NAME: 'staging-eu.1',
      RINGKV_TOKEN: 't',
      RINGKV_ALLOW_ORIGIN: 'http://localhost:5173/, *',
      RINGKV_LOG_LEVEL: 'warn',
    };
    const config = parseNodeConfig({ vnodes: '32' }, env, '/srv');
    expect(config).toMatchObject({
      port: 7005,
      advertise: '[::1]:7005',
      store: { memory: true },
      join: ['127.0.0.1:7001', '127.0.0.1:7002'],
      vnodes: 32,
      replicationFactor: 5,
      readQuorum: 3,
      writeQuorum: 3,
      clusterSecret: 's',
      clusterName: 'staging-eu.1',
      token: 't',
      allowOrigins: ['http://localhost:5173', '*'],
      logLevel: 'warn',
    });
    expect(nodeOptions.map((spec) => spec.env)).toEqual(expect.arrayContaining(Object.keys(env)));
  });

  it('resolves --data against the working directory and takes --advertise as the id', () => {
    const config = parseNodeConfig({ data: 'd1', advertise: 'db1.example:7100', port: '7100' }, {}, '/srv');
    expect(config.store).toEqual({ dataDir: '/srv/d1' });
    expect(config.nodeId).toBe('db1.example:7100');
  });

  it('explains each bad value, naming the flag or the variable it came from', () => {
    expect(problem({ port: 'abc' })).toBe('--port: must be a whole number from 1 to 65535');
    expect(problem({ port: '0' })).toContain('--port: must be at least 1');
    expect(problem({}, { RINGKV_PORT: '99999' })).toContain('--port (RINGKV_PORT): must be at most 65535');
    expect(problem({ vnodes: String(limits.vnodesMax + 1) })).toContain('--vnodes');
    expect(problem({ replicationFactor: '8' })).toContain('--replication-factor');
    expect(problem({ join: 'node1' })).toMatch(/--join: .*HOST:PORT/);
    expect(problem({ advertise: 'nowhere' })).toContain('--advertise');
    expect(problem({ logLevel: 'loud' })).toContain('--log-level');
    expect(problem({ allowOrigin: 'not an origin' })).toContain('--allow-origin');
    expect(problem({ token: '' })).toContain('--token');
    expect(problem({ clusterName: 'a b' })).toMatch(/--cluster-name: must be 1 to 64 letters/);
    expect(problem({ clusterName: 'x'.repeat(65) })).toContain('--cluster-name');
    expect(problem({}, { RINGKV_MEMORY: 'maybe' })).toContain(
      '--memory (RINGKV_MEMORY): must be true or false',
    );
  });

  it('applies the cross-field rules', () => {
    expect(problem({ data: '/tmp/x', memory: true })).toBe('--data and --memory are exclusive: pick one');
    expect(problem({ writeQuorum: '4', replicationFactor: '3' })).toMatch(
      /^writeQuorum must be <= replicationFactor/,
    );
    expect(problem({ readQuorum: '2', replicationFactor: '1', writeQuorum: '1' })).toMatch(
      /^readQuorum must be <= replicationFactor/,
    );
    expect(problem({ host: '0.0.0.0' })).toContain('--advertise HOST:PORT is required');
    expect(parseNodeConfig({ host: '0.0.0.0', advertise: '10.0.0.5:7001' }, {}, '/').nodeId).toBe(
      '10.0.0.5:7001',
    );
  });

  it('lets RINGKV_MEMORY=0 fall back to the disk default', () => {
    expect(parseNodeConfig({}, { RINGKV_MEMORY: '0' }, '/srv').store).toEqual({ dataDir: '/srv/data/7001' });
  });
});
