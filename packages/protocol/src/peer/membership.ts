/** Peer messages for SWIM membership and dissemination (internal; see docs/PROTOCOL.md). */
export {};
