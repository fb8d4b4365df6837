/** The stable error codes of SPEC section 4, with their HTTP statuses. One table, used by every edge. */
export const errorStatus = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  KEY_NOT_FOUND: 404,
  NODE_NOT_FOUND: 404,
  KEY_EXISTS: 409,
  NODE_EXISTS: 409,
  CONFLICT: 409,
  TOO_LARGE: 413,
  INTERNAL: 500,
  NODE_UNREACHABLE: 502,
  UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as ErrorCode[];

export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorStatus, value);
}

/**
 * An operating error with a stable SPEC code. Bugs are assertions, not RingKvErrors; conditions a caller
 * can meet (missing key, too few replicas) are RingKvErrors and travel to clients unchanged.
 */
export class RingKvError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RingKvError';
    this.code = code;
  }

  get status(): number {
    return errorStatus[this.code];
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}
