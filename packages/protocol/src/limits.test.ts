import { describe, expect, it } from 'vitest';
import * as limits from './limits.js';

describe('limits relate to one another', () => {
  it('an HTTP body admits the largest value plus its envelope', () => {
    expect(limits.httpBodyBytesMax).toBeGreaterThan(limits.valueBytesMax + '{"value":}'.length);
  });
  it('a frame admits the largest value with the largest key', () => {
    expect(limits.frameBytesMax).toBeGreaterThan(limits.valueBytesMax + limits.keyBytesMax + 1024);
  });
  it('a connection may have a whole batch in flight', () => {
    expect(limits.requestsInflightPerConnectionMax).toBeGreaterThanOrEqual(limits.batchRequestsMax);
  });
  it('a peer frame admits a full client frame forwarded whole', () => {
    expect(limits.peerFrameBytesMax).toBeGreaterThanOrEqual(limits.frameBytesMax);
  });
  it('one store scan page can fill a whole stream batch', () => {
    expect(limits.storeScanRecordsMax).toBeGreaterThanOrEqual(limits.streamBatchRecordsMax);
  });
  it('a stream batch admits at least one largest record', () => {
    expect(limits.streamBatchBytesMax).toBeGreaterThan(limits.valueBytesMax + limits.keyBytesMax);
  });
  it('quorum defaults fit the default replication factor', () => {
    expect(limits.quorumDefault).toBeLessThanOrEqual(limits.replicationFactorDefault);
    expect(limits.quorumDefault * 2).toBeGreaterThan(limits.replicationFactorDefault);
    expect(limits.replicationFactorDefault).toBeLessThanOrEqual(limits.replicationFactorMax);
  });
  it('vnode bounds contain the default', () => {
    expect(limits.vnodesDefault).toBeGreaterThanOrEqual(limits.vnodesMin);
    expect(limits.vnodesDefault).toBeLessThanOrEqual(limits.vnodesMax);
  });
  it('reconnect backoff grows from its minimum to its maximum', () => {
    expect(limits.peerReconnectDelayMsMin).toBeLessThan(limits.peerReconnectDelayMsMax);
  });
});
