/**
 * Create, read, update, delete one key. The value is parsed as JSON when it is valid JSON, otherwise sent
 * as a string (as the CLI does). Errors from the cluster show their SPEC code and message unchanged.
 */
import type { Consistency, DataOp } from '@ringkv/protocol';
import { type FormEvent, useState } from 'react';
import type { ClusterSource } from '../connection/cluster-source.js';
import { useOperation } from '../hooks/useOperation.js';
import { parseValue } from '../lib/value.js';
import { OutcomeView } from './OutcomeView.js';

const operations: readonly DataOp[] = ['create', 'read', 'update', 'delete'];
const consistencies: readonly Consistency[] = ['one', 'quorum', 'all'];

export function DataForm({ source, onWritten }: { source: ClusterSource | null; onWritten: () => void }) {
  const [op, setOp] = useState<DataOp>('create');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [consistency, setConsistency] = useState<Consistency>('quorum');
  const [outcome, execute] = useOperation<unknown>();
  const takesValue = op === 'create' || op === 'update';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void execute(async () => {
      if (!source) throw new Error('not connected');
      const result = takesValue
        ? await source.request(op, { key, value: parseValue(value), consistency })
        : await source.request(op, { key, consistency });
      if (op !== 'read') onWritten();
      return result;
    });
  };

  return (
    <section className="panel" aria-labelledby="data-title">
      <h2 id="data-title">Keys</h2>
      <form className="stack-form" onSubmit={submit} data-testid="data-form">
        <div className="segmented" role="radiogroup" aria-label="operation">
          {operations.map((name) => (
            <label key={name} className={name === op ? 'selected' : ''}>
              <input type="radio" name="op" value={name} checked={name === op} onChange={() => setOp(name)} />
              {name}
            </label>
          ))}
        </div>
        <label className="field">
          <span>key</span>
          <input value={key} onChange={(event) => setKey(event.target.value)} data-testid="data-key" />
        </label>
        {takesValue && (
          <label className="field">
            <span>value (JSON, or taken as a string)</span>
            <textarea
              rows={3}
              value={value}
              onChange={(event) => setValue(event.target.value)}
              data-testid="data-value"
            />
          </label>
        )}
        <div className="form-row">
          <label className="field compact">
            <span>consistency</span>
            <select
              value={consistency}
              onChange={(event) => setConsistency(event.target.value as Consistency)}
            >
              {consistencies.map((level) => (
                <option key={level}>{level}</option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={outcome.state === 'pending'} data-testid="data-submit">
            {op}
          </button>
        </div>
      </form>
      <OutcomeView outcome={outcome} testId="data" />
    </section>
  );
}
