import { isErrorCode, RingKvError } from '@ringkv/protocol';

/**
 * The connection a request travelled on closed before its reply came. `sent` says whether the request
 * left this process: an unsent request is always safe to send again; a sent write may have been applied.
 */
export class ConnectionLostError extends RingKvError {
  readonly sent: boolean;

  constructor(url: string, sent: boolean, reason: string) {
    super(
      'UNAVAILABLE',
      sent
        ? `connection to ${url} closed before the reply (${reason}); the request may have been applied`
        : `connection to ${url} closed before the request was sent (${reason})`,
    );
    this.sent = sent;
  }
}

/** A reply's `error` body as a RingKvError; an error body without a SPEC code is a server bug. */
export function errorFromBody(body: unknown): RingKvError {
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : 'no message';
  if (isErrorCode(code)) return new RingKvError(code, text);
  return new RingKvError('INTERNAL', `malformed error reply: ${JSON.stringify(body)?.slice(0, 200)}`);
}

/** A URL fit for messages: the token query parameter replaced. */
export function redactUrl(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, '$1***');
}
