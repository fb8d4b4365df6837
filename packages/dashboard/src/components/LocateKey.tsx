/**
 * "Where does this key live?": hashes the key here (murmur3, the node's own function) to draw its
 * position, asks the node for the authoritative preference list (`get_node`), and walks the ring to it.
 */
import type { GetNodeResult } from '@ringkv/protocol';
import { keyToken } from '@ringkv/protocol';
import { type FormEvent, useState } from 'react';
import { nodeColorVar } from '../config/theme.js';
import type { ClusterSource } from '../connection/cluster-source.js';
import { useOperation } from '../hooks/useOperation.js';
import { formatToken } from '../lib/format.js';
import { preferenceWalk } from '../lib/ring.js';
import type { RingModel } from '../lib/ring-model.js';
import { OutcomeView } from './OutcomeView.js';
import type { LocatedKey } from './RingView.js';

interface LocateKeyProps {
  source: ClusterSource | null;
  model: RingModel | null;
  slots: ReadonlyMap<string, number>;
  located: LocatedKey | null;
  onLocated: (located: LocatedKey | null) => void;
}

export function LocateKey({ source, model, slots, located, onLocated }: LocateKeyProps) {
  const [key, setKey] = useState('');
  const [outcome, execute] = useOperation<GetNodeResult>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void execute(async () => {
      if (!source) throw new Error('not connected');
      const answer = await source.request('get_node', { key });
      onLocated({ key, token: keyToken(key), replicas: answer.replicas });
      return answer;
    });
  };

  // The walk this page computes from its own copy of the ring, to compare with the node's answer.
  const localWalk =
    located && model
      ? preferenceWalk(model.sorted, located.token, model.replicationFactor).map((step) => step.node)
      : [];
  const agrees = located !== null && localWalk.join() === located.replicas.join();

  return (
    <section className="panel" aria-labelledby="locate-title">
      <h2 id="locate-title">Locate a key</h2>
      <form className="inline-form" onSubmit={submit}>
        <input
          aria-label="key to locate"
          placeholder="user:42"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          data-testid="locate-input"
        />
        <button type="submit" disabled={outcome.state === 'pending'}>
          Locate
        </button>
        {located && (
          <button type="button" className="secondary" onClick={() => onLocated(null)}>
            Clear
          </button>
        )}
      </form>
      {outcome.state === 'error' && <OutcomeView outcome={outcome} testId="locate" />}
      {located && outcome.state === 'ok' && (
        <div className="locate-result">
          <p className="muted">
            <code>{located.key}</code> hashes to <code>{formatToken(located.token)}</code>; walking clockwise:
          </p>
          <ol className="replica-list" data-testid="locate-replicas">
            {located.replicas.map((node, index) => (
              <li key={node} data-node={node}>
                <span className="swatch" style={{ background: nodeColorVar(slots.get(node) ?? 0) }} />
                {node}
                <span className="muted">{index === 0 ? ' primary' : ` replica ${index + 1}`}</span>
              </li>
            ))}
          </ol>
          {!agrees && (
            <p className="note" data-testid="locate-disagrees">
              The node's answer differs from the walk on this page's copy of the ring ({localWalk.join(', ')}
              ): the ring is changing, or the node skips members that are down.
            </p>
          )}
        </div>
      )}
    </section>
  );
}
