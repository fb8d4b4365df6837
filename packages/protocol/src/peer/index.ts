/**
 * The peer protocol: every message one node sends another over its `/peer` WebSocket (internal; see
 * docs/PROTOCOL.md). After the handshake, each frame is a JSON array of envelopes, coalesced per event-loop
 * turn:
 *   {k:'msg', body}            fire-and-forget: a membership message (SWIM gossip)
 *   {k:'req', id, body}        a request awaiting one reply with the same id
 *   {k:'ok', id, body}         its reply
 *   {k:'err', id, error}       or its failure, with a SPEC error code
 */
import { z } from 'zod';
import { describeIssues } from '../decode.js';
import { peerFrameMessagesMax } from '../limits.js';
import { PeerAuth, PeerError, PeerHello, PeerReady, PeerReply, PeerRequest, PeerWelcome } from './data.js';
import { fastPeerEnvelope } from './fast-decode.js';
import { MembershipMessage } from './membership.js';

export * from './data.js';
export * from './membership.js';
export * from './repair.js';

export const PeerRequestId = z.number().int().nonnegative();

export const PeerEnvelope = z.discriminatedUnion('k', [
  z.object({ k: z.literal('msg'), body: MembershipMessage }),
  z.object({ k: z.literal('req'), id: PeerRequestId, body: PeerRequest }),
  z.object({ k: z.literal('ok'), id: PeerRequestId, body: PeerReply }),
  z.object({ k: z.literal('err'), id: PeerRequestId, error: PeerError }),
]);
export type PeerEnvelope = z.infer<typeof PeerEnvelope>;

export const PeerFrame = z.array(PeerEnvelope).min(1).max(peerFrameMessagesMax);
export type PeerFrame = z.infer<typeof PeerFrame>;

export const PeerHandshakeMessage = z.discriminatedUnion('type', [
  PeerHello,
  PeerWelcome,
  PeerAuth,
  PeerReady,
]);
export type PeerHandshakeMessage = z.infer<typeof PeerHandshakeMessage>;

export type DecodedPeer<T> = { ok: true; value: T } | { ok: false; reason: string };

function decodeWith<T>(schema: z.ZodType<T>, text: string, what: string): DecodedPeer<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: `${what} is not valid JSON` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `${what}: ${describeIssues(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

/**
 * Decodes one post-handshake peer frame; never throws. A failure means: disconnect that peer. The hot
 * envelopes are checked by hand (fast-decode.ts), every other one by its zod schema; a frame with any
 * invalid envelope is decoded again wholly by zod, so the reason is zod's. The result equals
 * `decodePeerFrameWithZod`'s (fast-decode.test.ts).
 */
export function decodePeerFrame(text: string): DecodedPeer<PeerFrame> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'peer frame is not valid JSON' };
  }
  if (!Array.isArray(raw) || raw.length < 1 || raw.length > peerFrameMessagesMax) return zodFrame(raw);
  const frame: PeerEnvelope[] = new Array(raw.length);
  for (let index = 0; index < raw.length; index++) {
    const envelope = fastPeerEnvelope(raw[index]);
    if (envelope) {
      frame[index] = envelope;
      continue;
    }
    const parsed = PeerEnvelope.safeParse(raw[index]);
    if (!parsed.success) return zodFrame(raw);
    frame[index] = parsed.data;
  }
  return { ok: true, value: frame };
}

function zodFrame(raw: unknown): DecodedPeer<PeerFrame> {
  const parsed = PeerFrame.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `peer frame: ${describeIssues(parsed.error)}` };
  return { ok: true, value: parsed.data };
}

/** The zod-only decoding `decodePeerFrame` must equal (kept for its tests). */
export function decodePeerFrameWithZod(text: string): DecodedPeer<PeerFrame> {
  return decodeWith(PeerFrame, text, 'peer frame');
}

/** Decodes one handshake message; never throws. */
export function decodePeerHandshake(text: string): DecodedPeer<PeerHandshakeMessage> {
  return decodeWith(PeerHandshakeMessage, text, 'handshake message');
}
