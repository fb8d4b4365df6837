/**
 * The local launcher (`ringkv cluster`, what `pnpm start` runs) serves a control endpoint on 127.0.0.1:
 * `GET /nodes` lists its node processes, `POST /nodes` starts one more and admits it. The page finds it by
 * asking where the launcher listens by default (its base port + launcherControlPortOffset) and keeps it
 * only if it lists this page's own node. `?launcher=URL` in the page URL names it explicitly.
 */
import { limits } from '@ringkv/protocol';
import { ClusterError } from './cluster-source.js';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface LauncherNodes {
  nodes: Array<{ id: string }>;
}

export interface LauncherAddResult {
  node: string;
  pid?: number;
}

/** Control URLs worth asking, most likely first: from the lowest member port (the base) and our own. */
export function launcherCandidates(
  pageLocation: Pick<Location, 'hostname' | 'port' | 'search'>,
  members: readonly string[],
): string[] {
  const explicit = new URLSearchParams(pageLocation.search).get('launcher');
  if (explicit) return [explicit.replace(/\/$/, '')];
  if (!loopbackHosts.has(pageLocation.hostname)) return [];
  const ports = members
    .map((member) => Number(member.split(':').pop()))
    .filter((port) => Number.isInteger(port) && port > 0)
    .sort((left, right) => left - right);
  const candidates = [ports[0], Number(pageLocation.port)]
    .filter((port): port is number => port !== undefined && port > 0)
    .map((port) => `http://${pageLocation.hostname}:${port + limits.launcherControlPortOffset}`);
  return [...new Set(candidates)];
}

/** The first candidate that answers as a launcher running `self`; null when none does. */
export async function findLauncher(candidates: readonly string[], self: string): Promise<string | null> {
  for (const candidate of candidates) {
    try {
      const response = await fetch(`${candidate}/nodes`);
      if (!response.ok) continue;
      const body = (await response.json()) as LauncherNodes;
      if (Array.isArray(body.nodes) && body.nodes.some((node) => node.id === self)) return candidate;
    } catch (error) {
      // Nothing listens there (the usual case outside `pnpm start`): the button stays hidden.
      console.debug(`ringkv dashboard: no launcher at ${candidate}`, error);
    }
  }
  return null;
}

/** Asks the launcher to start one more local node and admit it; rejects with the SPEC error it answers. */
export async function startLocalNode(launcherUrl: string): Promise<LauncherAddResult> {
  const response = await fetch(`${launcherUrl}/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const body = (await response.json()) as LauncherAddResult | { error?: { code?: string; message?: string } };
  if (!response.ok) {
    const error = 'error' in body ? body.error : undefined;
    throw new ClusterError(
      error?.code ?? 'INTERNAL',
      error?.message ?? `launcher answered ${response.status}`,
    );
  }
  return body as LauncherAddResult;
}
