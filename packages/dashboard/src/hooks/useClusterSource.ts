import { useEffect, useState } from 'react';
import type { ClusterSource } from '../connection/cluster-source.js';
import { type Endpoint, endpointFor } from '../connection/endpoint.js';
import { WebSocketClusterSource } from '../connection/ws-source.js';

/** The page's endpoint (same origin, `?token=` from the URL), read once. */
export function usePageEndpoint(): Endpoint {
  const [endpoint] = useState(() => endpointFor(window.location));
  return endpoint;
}

/** One ClusterSource for the page's lifetime, closed on unmount. */
export function useClusterSource(endpoint: Endpoint): ClusterSource | null {
  const [source, setSource] = useState<ClusterSource | null>(null);
  useEffect(() => {
    const created = new WebSocketClusterSource(endpoint);
    setSource(created);
    return () => created.close();
  }, [endpoint]);
  return source;
}
