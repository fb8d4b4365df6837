/**
 * Reply and event texts, built by splicing already-encoded JSON (values travel as JSON text end to end,
 * so a reply never parses and re-serialises the value it carries).
 */
import type { ErrorBody, RequestId } from '@ringkv/protocol';
import type { RecordReply } from '../node-api.js';
import { jsonStringText, plainJsonString, safeIntegerText } from './json-text.js';

/** `{"key","value","version"}`, the body of create, read and update. */
export function recordResultText(record: RecordReply): string {
  return `{"key":${jsonStringText(record.key)},"value":${record.valueJson},"version":${safeIntegerText(record.version)}}`;
}

/**
 * `okReplyText(id, recordResultText({key, valueJson, version}))` in one template: the reply to a read
 * answered at once, the commonest reply of a batch. No result text or quoted key is built on the way (each
 * would be a string of its own, garbage as soon as the reply is spliced).
 */
export function recordReplyText(id: RequestId, key: string, valueJson: string, version: number): string {
  if (typeof id !== 'number' || !plainJsonString(key)) {
    return okReplyText(id, recordResultText({ key, valueJson, version }));
  }
  return `{"id":${id},"ok":true,"result":{"key":"${key}","value":${valueJson},"version":${safeIntegerText(version)}}}`;
}

export function okReplyText(id: RequestId, resultText: string): string {
  return `{"id":${idText(id)},"ok":true,"result":${resultText}}`;
}

export function errorReplyText(id: RequestId | null, error: ErrorBody): string {
  return `{"id":${idText(id)},"ok":false,"error":${errorBodyText(error)}}`;
}

/** `JSON.stringify(id)`: a request id is a finite number (printed as `String` prints it) or a string. */
function idText(id: RequestId | null): string {
  if (typeof id === 'string') return jsonStringText(id);
  return id === null ? 'null' : String(id);
}

/** `{"error":{"code","message"}}`, the body of every HTTP error. */
export function errorEnvelopeText(error: ErrorBody): string {
  return `{"error":${errorBodyText(error)}}`;
}

function errorBodyText(error: ErrorBody): string {
  return JSON.stringify({ code: error.code, message: error.message });
}

export function eventText(topic: string, dataText: string): string {
  return `{"event":${JSON.stringify(topic)},"data":${dataText}}`;
}
