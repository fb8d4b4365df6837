/** The HTTP API (SPEC section 2) as the tests use it to check what the page shows. */

export interface ApiReply<T = unknown> {
  status: number;
  body: T;
}

export async function api<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<ApiReply<T>> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export interface NodesBody {
  nodes: Array<{ id: string; status: string; keys: number }>;
}

export interface RingBody {
  epoch: number;
  tokens: Array<{ token: number; node: string }>;
}

/** Distinct node ids on a node's ring. */
export async function ringNodes(baseUrl: string): Promise<string[]> {
  const ring = await api<RingBody>(baseUrl, 'GET', '/ring');
  return [...new Set(ring.body.tokens.map((vnode) => vnode.node))].sort();
}

/** Writes `count` keys through the HTTP API, a few at a time. */
export async function writeKeys(baseUrl: string, prefix: string, count: number): Promise<void> {
  const parallel = 16;
  for (let start = 0; start < count; start += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - start) }, (_, offset) => start + offset);
    await Promise.all(
      batch.map(async (index) => {
        const reply = await api(baseUrl, 'POST', `/create/${encodeURIComponent(`${prefix}${index}`)}`, {
          value: { index },
        });
        if (reply.status !== 201) throw new Error(`create ${prefix}${index}: ${JSON.stringify(reply)}`);
      }),
    );
  }
}
