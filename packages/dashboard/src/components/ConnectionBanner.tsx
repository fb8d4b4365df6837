/** Says plainly when the page is not connected, why (when known), and when it tries again. */
import { useEffect, useState } from 'react';
import type { ConnectionState } from '../connection/cluster-source.js';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ConnectionBanner({ connection, host }: { connection: ConnectionState; host: string }) {
  const now = useNow(connection.status !== 'open');
  if (connection.status === 'open') return null;
  const retryInSeconds = connection.nextAttemptAt
    ? Math.max(0, Math.ceil((connection.nextAttemptAt - now) / 1000))
    : null;
  const message = (() => {
    switch (connection.status) {
      case 'connecting':
        return `Connecting to ${host}…`;
      case 'unauthorized':
        return `${host} refused the connection: this cluster needs a token. Open the page with ?token=YOUR_TOKEN.`;
      case 'closed':
        return `Disconnected from ${host}.`;
      default:
        return `Disconnected from ${host}. Reconnecting${retryInSeconds ? ` in ${retryInSeconds} s` : '…'} (attempt ${connection.attempt}). The views show the last state seen.`;
    }
  })();
  return (
    <div
      className={`banner ${connection.status === 'connecting' ? 'info' : 'warning'}`}
      role="status"
      data-testid="connection-banner"
      data-status={connection.status}
    >
      {message}
    </div>
  );
}
