/** One click to start a new local node and admit it, when the cluster runs under the local launcher. */
import { type LauncherAddResult, startLocalNode } from '../connection/launcher.js';
import { useOperation } from '../hooks/useOperation.js';
import { OutcomeView } from './OutcomeView.js';

export function LaunchLocalNode({ launcherUrl, onChanged }: { launcherUrl: string; onChanged: () => void }) {
  const [outcome, execute] = useOperation<LauncherAddResult>();
  const launch = () =>
    execute(async () => {
      const result = await startLocalNode(launcherUrl);
      onChanged();
      return result;
    });
  return (
    <div className="launcher" data-testid="launcher">
      <button
        type="button"
        className="secondary"
        onClick={() => void launch()}
        disabled={outcome.state === 'pending'}
        data-testid="launch-node"
      >
        {outcome.state === 'pending' ? 'Starting a node…' : 'Start a new local node'}
      </button>
      <span className="muted">the local launcher starts one more node and admits it</span>
      <OutcomeView outcome={outcome} testId="launcher" />
    </div>
  );
}
