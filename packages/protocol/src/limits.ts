/**
 * Every bound in ringkv, in one place (TigerStyle: every queue, buffer, batch, frame and retry has a
 * named maximum). Client-facing limits come from SPEC sections 2, 3 and 6; the rest are internal and may
 * change between versions. `limits.test.ts` checks how they relate to one another.
 */

const KiB = 1024;
const MiB = 1024 * KiB;

// --- Client-facing (SPEC) ---------------------------------------------------------------------------
/** A key is any UTF-8 string of 1 to 1024 bytes. */
export const keyBytesMin = 1;
export const keyBytesMax = 1024;
/** A value is any JSON value whose encoding is at most 1 MiB. */
export const valueBytesMax = 1 * MiB;
/** An HTTP body is `{"value": V}`: the value plus a little framing and whitespace. */
export const httpBodyBytesMax = valueBytesMax + 4 * KiB;
/** A WebSocket text frame; larger frames close the connection with 1009. */
export const frameBytesMax = 16 * MiB;
/** A batch frame holds at most this many requests. */
export const batchRequestsMax = 1000;
/** Requests one client connection may have outstanding; must admit one full batch. */
export const requestsInflightPerConnectionMax = 4096;
/** Client WebSocket connections one node accepts at once. */
export const connectionsMax = 10_000;
/** A request id chosen by the client: a number or a string of at most this many bytes. */
export const requestIdBytesMax = 256;
/** A node address `HOST:PORT`: a DNS name (253) + ':' + port (5). */
export const nodeAddressBytesMax = 259;
/** Topics a connection can subscribe to; there are only three. */
export const subscriptionTopicsMax = 3;

// --- Ring and replication ---------------------------------------------------------------------------
export const vnodesDefault = 128;
export const vnodesMin = 1;
export const vnodesMax = 4096;
export const replicationFactorDefault = 3;
export const replicationFactorMax = 7;
export const quorumDefault = 2;
/** Members in one cluster (the simulator runs up to 50). */
export const clusterNodesMax = 256;

// --- Peer protocol (internal) -----------------------------------------------------------------------
/** A peer frame may carry a full value plus framing, or a batch of coalesced messages. */
export const peerFrameBytesMax = 64 * MiB;
/** Messages buffered for one peer before the outbox drops and counts. */
export const peerOutboxMessagesMax = 100_000;
/** Bytes queued in a peer socket (ws bufferedAmount) before we stop writing and wait for drain. */
export const peerBufferedBytesHighWater = 8 * MiB;
/** Peer requests awaiting a reply, per peer. */
export const peerRequestsInflightMax = 50_000;
export const peerRequestTimeoutMsDefault = 2_000;
export const peerReconnectDelayMsMin = 100;
export const peerReconnectDelayMsMax = 5_000;
export const peerHandshakeTimeoutMs = 3_000;
/** Durable hints kept for unreachable replicas before new ones are dropped and counted. */
export const hintsMax = 1_000_000;
/** Membership updates waiting to be piggybacked (ringpop caps per update at factor x ceil(log10(n+1))). */
export const disseminationQueueMax = 1_024;
export const disseminationFactor = 3;
/** Records in one streaming batch during rebalance / anti-entropy. */
export const streamBatchRecordsMax = 1_000;
export const streamBatchBytesMax = 4 * MiB;

// --- Client request handling ------------------------------------------------------------------------
export const clientRequestTimeoutMsDefault = 5_000;
export const statsIntervalMs = 1_000;
