/** Every bound the dashboard keeps, named (the project's rule: no queue or history grows without one). */

/** Stats samples kept for the traffic charts: two minutes at the node's one-per-second rate. */
export const statsSamplesMax = 120;
/** Requests awaiting a reply on the dashboard's WebSocket before new ones are refused. */
export const pendingRequestsMax = 256;
/** A request with no reply after this long is failed locally (the socket may be half-dead). */
export const requestTimeoutMs = 15_000;
/** Reconnect backoff: doubles from the minimum up to the maximum. */
export const reconnectDelayMsMin = 250;
export const reconnectDelayMsMax = 5_000;
/** `/nodes` is re-read this often while connected, so key counts move even without a stats topic. */
export const nodesPollIntervalMs = 2_000;
/** Slices of the ring in the key-density chart. */
export const densityBinCount = 72;
/** Above this many vnodes, ticks are drawn shorter and thinner so the ring stays readable. */
export const denseRingTicksMin = 2_000;
/** Length of a ring-change animation. */
export const ringAnimationMs = 700;
/** Latency lines drawn at once; past it, the slowest nodes are drawn. */
export const latencyLinesMax = 8;
/** Above this many nodes, the legend under the ring lists only nodes that are not alive. */
export const legendNodesMax = 12;
