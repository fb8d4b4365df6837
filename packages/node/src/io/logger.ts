/**
 * Structured logs with pino: one JSON object per line on stdout, every line carrying the node's id, so
 * the logs of several nodes can be merged and filtered. Requests are not logged one by one at `info`
 * (a busy node would log more than it serves); errors with code INTERNAL are logged with their request id.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.js';

export type { Logger };

export function createLogger(nodeId: string, level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, base: { node: nodeId }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination === undefined ? pino(options) : pino(options, destination);
}
