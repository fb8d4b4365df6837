import type { NodeStatus } from '@ringkv/protocol';
import { statusColorVar } from '../config/theme.js';

export function StatusBadge({ status }: { status: NodeStatus }) {
  return (
    <span
      className={`status-badge status-${status}`}
      data-testid="status"
      style={{ color: statusColorVar(status) }}
    >
      <span className="status-dot" aria-hidden="true" />
      {status}
    </span>
  );
}
