/**
 * Membership (SWIM) settings: defaults merged once, then validated with rules that say what is wrong.
 * The defaults suit a LAN: a probe every second, a direct ack expected within 300 ms (a LAN round trip is
 * well under that even under load), indirect acks by the end of the period, and five periods of suspicion
 * before a member is declared dead, long enough for a suspected node to hear the rumour and refute it.
 */
import { limits } from '@ringkv/protocol';

export interface MembershipConfig {
  /** One probe per period (SWIM's T'). */
  protocolPeriodMs: number;
  /** Wait for a direct ack before asking `indirectPingCount` peers to probe (ping-req). */
  pingTimeoutMs: number;
  /** Wait after the ping-reqs before suspecting the target; pingTimeoutMs + this <= protocolPeriodMs. */
  indirectPingTimeoutMs: number;
  /** SWIM's k: peers asked to ping an unresponsive target. */
  indirectPingCount: number;
  /** A suspect not refuted within this time is declared dead. */
  suspectTimeoutMs: number;
  /** Tokens each node declares on the ring (the node's own tokens come in from outside). */
  vnodes: number;
  /** Each fact is piggybacked factor x ceil(log10(n + 1)) times. */
  disseminationFactor: number;
  disseminationQueueMax: number;
  /** At most one full-state sync started per peer within this time. */
  syncIntervalMs: number;
  /** After `leave()`, keep answering and gossiping the departure this long before stopping. */
  leaveLingerMs: number;
  joinRetryDelayMsMin: number;
  joinRetryDelayMsMax: number;
  /**
   * How often a seed that is not a live member is offered a full sync: two clusters formed apart (nodes
   * that found only each other while their seeds were down) merge once a seed answers.
   */
  seedSyncIntervalMs: number;
  /**
   * A node still waiting for its seeds answers others' joins only after this many rounds through its
   * seeds without an answer (whole cluster restarting). A new node waits longer than a returning member,
   * which belongs to the cluster already (ClusterNode passes 1 for it).
   */
  seedRoundsBeforeAnswering: number;
  /**
   * A new node stays `joining` at least this long after choosing its tokens, even when its ranges arrived
   * sooner: long enough for the tokens of a node that joined at the same moment to reach it by gossip, so
   * one of the two can still choose again (provisional-tokens.ts). Default: two protocol periods.
   */
  joiningMinMs: number;
}

export const membershipDefaults: MembershipConfig = {
  protocolPeriodMs: 1_000,
  pingTimeoutMs: 300,
  indirectPingTimeoutMs: 600,
  indirectPingCount: 3,
  suspectTimeoutMs: 5_000,
  vnodes: limits.vnodesDefault,
  disseminationFactor: limits.disseminationFactor,
  disseminationQueueMax: limits.disseminationQueueMax,
  syncIntervalMs: 2_000,
  leaveLingerMs: 2_000,
  joinRetryDelayMsMin: limits.membershipJoinRetryDelayMsMin,
  joinRetryDelayMsMax: limits.membershipJoinRetryDelayMsMax,
  seedSyncIntervalMs: 10_000,
  seedRoundsBeforeAnswering: 3,
  joiningMinMs: 2_000,
};

export function resolveMembershipConfig(overrides: Partial<MembershipConfig> = {}): MembershipConfig {
  const protocolPeriodMs = overrides.protocolPeriodMs ?? membershipDefaults.protocolPeriodMs;
  const config = { ...membershipDefaults, joiningMinMs: 2 * protocolPeriodMs, ...overrides };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isInteger(value) || value < 0) problems.push(`${name} must be a non-negative integer`);
  }
  if (config.protocolPeriodMs < 1) problems.push('protocolPeriodMs must be at least 1');
  if (config.pingTimeoutMs + config.indirectPingTimeoutMs > config.protocolPeriodMs) {
    problems.push('pingTimeoutMs + indirectPingTimeoutMs must be <= protocolPeriodMs');
  }
  if (config.indirectPingCount > limits.membershipIndirectPingsMax) {
    problems.push(`indirectPingCount must be <= ${limits.membershipIndirectPingsMax}`);
  }
  if (config.vnodes < limits.vnodesMin || config.vnodes > limits.vnodesMax) {
    problems.push(`vnodes must be within ${limits.vnodesMin}..${limits.vnodesMax}`);
  }
  if (config.disseminationFactor < 1) problems.push('disseminationFactor must be at least 1');
  if (config.disseminationQueueMax < 1 || config.disseminationQueueMax > limits.disseminationQueueMax) {
    problems.push(`disseminationQueueMax must be within 1..${limits.disseminationQueueMax}`);
  }
  if (config.joinRetryDelayMsMin < 1 || config.joinRetryDelayMsMin > config.joinRetryDelayMsMax) {
    problems.push('joinRetryDelayMsMin must be >= 1 and <= joinRetryDelayMsMax');
  }
  if (problems.length > 0) throw new Error(`membership config: ${problems.join('; ')}`);
  return config;
}
