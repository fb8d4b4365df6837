/** The JSON text of one client request, as sent on the WebSocket (SPEC 3). */
import type { RequestBody } from './connection.js';

const dataOps: ReadonlySet<string> = new Set(['create', 'read', 'update', 'delete', 'read_replica']);

/**
 * The request's JSON text. Data operations are spliced from their fields (the value's JSON text as the
 * caller encoded it), so a value is serialised once; anything else goes through JSON.stringify.
 */
export function requestText(id: number, body: RequestBody, valueJson: string | undefined): string {
  if (!dataOps.has(body.op) || !('key' in body)) return JSON.stringify({ id, ...body });
  let text = `{"id":${id},"op":"${body.op}","key":${JSON.stringify(body.key)}`;
  const value = valueJson ?? ('value' in body ? JSON.stringify(body.value) : undefined);
  if (value !== undefined) text += `,"value":${value}`;
  if ('digest' in body && body.digest === true) text += ',"digest":true';
  if ('consistency' in body && body.consistency !== undefined) {
    text += `,"consistency":${JSON.stringify(body.consistency)}`;
  }
  return `${text}}`;
}
