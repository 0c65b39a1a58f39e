/**
 * Wire format (WebSocket text frames, one JSON object each; Electron IPC reuses Reply as its result
 * envelope so a rejected call keeps its error code):
 *   client → server  { t: 'call', id, method, args }
 *   server → client  { t: 'reply', id, ok: true, value } | { t: 'reply', id, ok: false, error: { code, message } }
 *   server → client  { t: 'event', channel, payload }
 * `id` is a client-chosen number, unique per connection.
 */
import type { ApiErrorPayload } from './errors';
import { InklingError } from './errors';
import type { EventChannel, InklingEvents } from './types';

export interface WireCall {
  t: 'call';
  id: number;
  method: string;
  args: unknown[];
}

export type ReplyEnvelope = { ok: true; value: unknown } | { ok: false; error: ApiErrorPayload };
export type WireReply = { t: 'reply'; id: number } & ReplyEnvelope;

export type WireEvent = { [C in EventChannel]: { t: 'event'; channel: C; payload: InklingEvents[C] } }[EventChannel];

/** Bound on one incoming frame: 20 MB of text plus JSON escaping headroom. */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Parses a client frame; throws a bad_request InklingError (with the id when it could be read). */
export function parseCall(data: string): WireCall {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    throw new InklingError('bad_request', 'The message is not valid JSON.');
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) {
    throw new InklingError('bad_request', 'The message must be a JSON object.');
  }
  const m = msg as Record<string, unknown>;
  if (m.t !== 'call')
    throw new InklingError('bad_request', `Unknown message type ${JSON.stringify(m.t)}; expected "call".`);
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id) || m.id < 0) {
    throw new InklingError('bad_request', 'The call needs a non-negative integer "id".');
  }
  if (typeof m.method !== 'string') throw new InklingError('bad_request', 'The call needs a string "method".');
  const args = m.args === undefined ? [] : m.args;
  if (!Array.isArray(args)) throw new InklingError('bad_request', `"args" of ${m.method} must be a list.`);
  return { t: 'call', id: m.id, method: m.method, args };
}

/** Parses a server frame on the client side; returns null for anything that is not ours. */
export function parseServerMessage(data: string): WireReply | WireEvent | null {
  let msg: unknown;
  try {
    msg = JSON.parse(data);
  } catch {
    return null;
  }
  if (!msg || typeof msg !== 'object') return null;
  const m = msg as Record<string, unknown>;
  if (m.t === 'reply' && typeof m.id === 'number' && typeof m.ok === 'boolean') return m as unknown as WireReply;
  if (m.t === 'event' && typeof m.channel === 'string') return m as unknown as WireEvent;
  return null;
}
