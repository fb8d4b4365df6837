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

// --- Store (storage engine) -------------------------------------------------------------------------
/** Records one store scan page (or hint listing) returns at most, whatever the caller asks for. */
export const storeScanRecordsMax = 10_000;

// --- Peer transport and replication (replication engineer) -------------------------------------------
/** Messages coalesced into one peer frame (one frame per peer per event-loop turn). */
export const peerFrameMessagesMax = 4_096;
/** Bytes of serialized messages buffered for one peer before the outbox drops and counts. */
export const peerOutboxBytesMax = 256 * MiB;
/** Handshake nonces are this many random bytes (hex on the wire). */
export const peerNonceBytes = 32;
/** add_node's probe of a candidate node: handshake must complete within this. */
export const peerProbeTimeoutMs = peerHandshakeTimeoutMs;
/** Cluster names are short labels. */
export const clusterNameBytesMax = 128;
/** A coordinator waits this long for replicas before answering TIMEOUT; below the client's timeout. */
export const replicaTimeoutMsDefault = 2_000;
/** Operations queued behind one key at its coordinator before new ones are refused (UNAVAILABLE). */
export const coordinatorKeyQueueMax = 1_024;
/** Operations one coordinator runs at once, across keys, before new ones are refused (UNAVAILABLE). */
export const coordinatorOperationsInflightMax = 65_536;
/** Hints delivered to one owner per round (one round per interval while hints remain). */
export const hintDeliveryBatchMax = 512;
export const hintDeliveryIntervalMs = 500;
/** Background read repairs in flight at once; more are skipped and counted (anti-entropy catches up). */
export const readRepairsInflightMax = 4_096;
/** Frames a peer may send between the last handshake message and our frame handler taking over. */
export const peerHandshakeBufferedFramesMax = 64;

// --- Client library (packages/client) ---------------------------------------------------------------
/** Requests one client connection keeps outstanding; further callers wait for a slot (backpressure). */
export const clientRequestsInflightDefault = 1_024;
/** Callers waiting for an in-flight slot on one connection; beyond it new requests fail UNAVAILABLE. */
export const clientWaitersMax = 100_000;
/** Characters of JSON text in one batch frame: at most 3 UTF-8 bytes each, so well under frameBytesMax. */
export const clientBatchCharsMax = 4 * MiB;
export const clientConnectTimeoutMsDefault = 3_000;
export const clientReconnectDelayMsMin = 100;
export const clientReconnectDelayMsMax = 5_000;
/** Times a read-only request is re-sent after its connection dropped, before the client gives up. */
export const clientReadRetriesMax = 3;
/**
 * How long a client-side quorum read waits for the replicas it asked before it asks the key's
 * coordinator instead (the coordinator then waits for whichever replicas do answer).
 */
export const clientReplicaReadTimeoutMsDefault = 1_000;
/** Node connections one ring-aware client holds open at once. */
export const clientConnectionsMax = 64;

// --- Membership (SWIM) and the simulator (membership engineer) ---------------------------------------
/** Membership updates piggybacked on one ping, ack or ping-req. */
export const membershipUpdatesPerMessageMax = 16;
/** Removed members remembered (id + incarnation) so stale gossip cannot bring them back. */
export const membershipTombstonesMax = 256;
/** Entries in a full-state sync or join reply: every member plus every tombstone. */
export const membershipStateEntriesMax = clusterNodesMax + membershipTombstonesMax;
/** Outstanding probes (our own and those relayed for ping-req) before new ones are refused. */
export const membershipProbesPendingMax = 1_024;
/** Peers asked to ping a target indirectly (SWIM's k). */
export const membershipIndirectPingsMax = 8;
/** A checksum on the wire (hex digests are 16 characters). */
export const membershipChecksumCharsMax = 64;
/** Join retries back off from the minimum to the maximum delay. */
export const membershipJoinRetryDelayMsMin = 200;
export const membershipJoinRetryDelayMsMax = 5_000;
/** add_node keeps offering our state to the admitted node for this many protocol periods. */
export const membershipAdmitAttemptsMax = 20;
/**
 * decommission (remove_node) and forget announce their fact this many incarnations above the member's,
 * so a refutation racing them cannot undo them; incarnations start at boot time in milliseconds, so a
 * node restarted a second later is above it again.
 */
export const membershipOperatorIncarnationStep = 1_000;
/** Events pending in one simulated run (timers plus packets in flight). */
export const simEventsPendingMax = 1_000_000;
/** Packets in flight on one simulated path (from, to); a full path drops a random packet. */
export const simPathPacketsMax = 256;

// --- Server edges: HTTP and the client WebSocket API (io/) ---------------------------------------------
/** Bytes queued to a client socket above which pushed events to it are dropped (and counted), not queued. */
export const clientEventBufferedBytesHighWater = 4 * MiB;
/** Bytes queued to a client that does not read its replies before the node closes it (1008). */
export const clientReplyBufferedBytesMax = 64 * MiB;
/** A graceful stop waits this long for in-flight requests and closing handshakes, then cuts connections. */
export const shutdownDrainMsMax = 5_000;
/** The longest request path (a 1024-byte key percent-encodes to at most 3072 characters). */
export const httpPathCharsMax = 8 * KiB;
/**
 * Client WebSockets are pinged this often; one that has not answered the previous ping is cut, so dead
 * peers (a laptop closed mid-session) do not hold connection slots forever.
 */
export const clientHeartbeatIntervalMs = 30_000;

// --- Local cluster launcher (`ringkv cluster`) --------------------------------------------------------
/** Nodes one local launcher runs, counting the ones added with `ringkv cluster add`. */
export const launcherNodesMax = 16;
/** How long a starting node may take to answer /health before the launch is called failed. */
export const launcherNodeStartMsMax = 30_000;
/** How long the launcher waits for a freshly started cluster's node list to show every node alive. */
export const launcherMembershipWaitMsMax = 15_000;
/** How long stopping nodes may take before the launcher kills the stragglers (nodes drain in stages). */
export const launcherStopMsMax = 25_000;
/** The launcher's control endpoint listens on base port + this, unless told otherwise. */
export const launcherControlPortOffset = 1_000;

// --- Storage reclamation: tombstone collection and range cleanup (core/sweeper.ts) ---------------------
/**
 * A tombstone is kept at least this long after its delete (its HLC time) before it may be collected: ten
 * days, Cassandra's gc_grace_seconds default. It must outlast everything that can still carry an older
 * value to a replica: hints are dropped once their record is `tombstoneGraceMsDefault / 2` old (so a hint
 * read just before that age still lands days before any tombstone it could race is collected), an
 * anti-entropy round runs every ~5 s, and a replica that is down blocks collection outright (it cannot
 * answer that it holds the delete). What the grace period protects against is a replica that was cut off
 * for longer, then returns with the older value through a path that bypasses those checks.
 */
export const tombstoneGraceMsDefault = 10 * 24 * 60 * 60 * 1000;
/** The sweeper examines at most this many records per tick (each may cost one read per other replica). */
export const sweepRecordsPerTickMax = 256;
/**
 * Merkle buckets whose expired tombstones the sweeper takes out of the digests per tick: 2^16 buckets in
 * all, so replicas agree on a tombstone's expiry within ~17 min at one tick a second. Each costs one scan
 * of the bucket (1/65536 of the records), so this bounds the sweeper's reads too.
 */
export const sweepBucketsPerTickMax = 64;
/**
 * The sweeper drops a record only when it was seen droppable twice, at least this long apart: a replica
 * that answered "nothing" may still be about to receive an older value already in flight from a replica
 * that came back stale (an anti-entropy page, a replica write), and a node's ring can be partial for a
 * moment after a restart. One minute is well above the peer request timeouts (2 to 5 s) that bound how
 * long such a transfer can still land, and above how long gossip takes to complete a ring.
 */
export const tombstoneConfirmMsDefault = 60_000;
/** Records (either rule) awaiting their second look at once; more wait for a later pass. */
export const sweepCandidatesMax = 100_000;
/** Mean time between sweeper ticks: a full pass over 1,000,000 records at 256 a tick takes about 1.1 h. */
export const sweepIntervalMsDefault = 1_000;

// Membership changes (lead)
/**
 * A member removed from the ring keeps its peer link this long before it is closed: a decommissioned node
 * forwards its last operations to us while it leaves, and they must not fail because we hung up first.
 */
export const removedLinkLingerMs = 5_000;

// --- Replica batches (replication data path) ----------------------------------------------------------
/** Keys (replica reads) or records (replica writes) one node sends one peer in one batch request. */
export const replicaBatchKeysMax = 1_024;
/**
 * A batch is sent once its estimated JSON text (values counted twice, for escaping) passes this many
 * UTF-16 units, so a batch envelope stays far inside one peer frame (`peerFrameBytesMax`) whatever its
 * values weigh; a single record (at most `valueBytesMax`) always fits.
 */
export const replicaBatchCharsMax = 4 * MiB;
