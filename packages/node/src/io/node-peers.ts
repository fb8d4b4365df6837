/**
 * The members a node last knew, kept in `DATA/peers.json` so that a restart finds its cluster again
 * without `--join`: they are added to the seeds. Without it a restarted node would serve alone, as a ring
 * of one, answering KEY_NOT_FOUND for keys other nodes hold, until some peer's probe found it; with it,
 * the node waits for its peers (answering UNAVAILABLE) and rejoins with its kept tokens.
 *
 * Written when the set of member ids changes (not on every status change), atomically (temp + rename).
 * A missing or unreadable file only means no extra seeds: peers are a hint, the tokens are the identity.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { limits, NodeAddress } from '@ringkv/protocol';
import { z } from 'zod';

const PeersFile = z.object({
  peers: z.array(NodeAddress).max(limits.clusterNodesMax),
});

export function peersPath(dataDir: string): string {
  return join(dataDir, 'peers.json');
}

/** The peers kept in `dataDir`, or [] (no file, or one that does not parse: reported through `warn`). */
export function readPeers(dataDir: string, warn: (message: string) => void = () => {}): string[] {
  let text: string;
  try {
    text = readFileSync(peersPath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`${peersPath(dataDir)}: ${String(error)}`);
    return [];
  }
  try {
    return PeersFile.parse(JSON.parse(text)).peers;
  } catch (error) {
    warn(`${peersPath(dataDir)} ignored: ${(error as Error).message}`);
    return [];
  }
}

/** Keeps the other members' ids whenever that set changes. */
export class PeersKeeper {
  private written: string | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly self: string,
  ) {
    this.written = JSON.stringify(readPeers(dataDir).sort());
  }

  /** Writes `ids` (self left out, sorted) if they differ from what the file holds. */
  update(ids: readonly string[]): void {
    const peers = ids.filter((id) => id !== this.self).sort();
    const text = JSON.stringify(peers);
    if (text === this.written) return;
    const path = peersPath(this.dataDir);
    const temporary = `${path}.${process.pid}.tmp`;
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(temporary, `${JSON.stringify({ peers })}\n`);
    renameSync(temporary, path);
    this.written = text;
  }
}
