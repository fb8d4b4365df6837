/** Peer messages for the handshake, replication, hints and streaming (internal; see docs/PROTOCOL.md). */
export {};
