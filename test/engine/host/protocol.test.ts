/**
 * The engine host protocol's method map holds both sides to it: the client's `call` takes each
 * method's own params (a wrong one does not compile: the `@ts-expect-error` lines below fail the
 * type check if the error they mark goes away), the host's handler table must cover every method,
 * and errors cross the pipe as `{code, message}` and arrive as `InklingError`s.
 *
 * The host runs in-process here (EngineServer behind a transport object), without a model.
 */
import { describe, expect, it } from 'vitest';
import { InklingError } from '../../../electron/common/errors';
import { EngineClient, type EngineTransport } from '../../../electron/engine/host';
import type { EngineReply, EngineRequest } from '../../../electron/engine/host/protocol';
import { EngineServer, type EngineHandlers } from '../../../electron/engine/host/server';

/** A client whose host is an EngineServer in this process; `replies` records what the host sent. */
function inProcess(): { client: EngineClient; replies: EngineReply[]; server: EngineServer } {
  const replies: EngineReply[] = [];
  let deliver: (m: EngineReply) => void = () => undefined;
  const server = new EngineServer((reply) => {
    replies.push(reply);
    deliver(reply);
  });
  const transport: EngineTransport = {
    send: (msg: EngineRequest) => server.handle(msg),
    onMessage: (cb) => {
      deliver = cb;
    },
    onExit: () => undefined,
    kill: () => undefined,
    pid: process.pid,
  };
  return { client: new EngineClient({ transport: () => transport, autoRestart: false }), replies, server };
}

async function rejection(p: Promise<unknown>): Promise<InklingError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  if (!(e instanceof InklingError)) throw new Error(`expected an InklingError, got ${String(e)}`);
  return e;
}

describe('the typed engine protocol', () => {
  it('call() takes each method’s own params and returns its own result', async () => {
    const { client } = inProcess();
    const pong = await client.call('ping', {}).result;
    expect(pong).toEqual({ pid: process.pid });
    const cancelled = await client.call('cancel', { target: 'r-none' }).result;
    expect(cancelled).toEqual({ cancelled: false });
    // A closed document, with no model loaded: nothing to drop, and no error.
    expect(await client.call('forget', { docId: 'doc-1' }).result).toEqual({ forgotten: 0 });

    // Compile-time checks: each line below is a type error (tsc runs over the tests).
    // @ts-expect-error score's text is a string
    void rejection(client.call('score', { text: 42 }).result);
    // @ts-expect-error tokenize has no `txt`
    void rejection(client.call('tokenize', { txt: 'x' }).result);
    // @ts-expect-error not a method of the engine
    void rejection(client.call('reboot', {}).result);
    // @ts-expect-error a sampling parameter's value has its type (SamplingParams, end to end)
    void rejection(client.generate({ prompt: 'x', params: { temperature: 'hot' } }).result);
    await client.dispose();
  });

  it('a handler table without a handler for every method does not compile', () => {
    const partial = (table: EngineHandlers) => {
      const { scoreParts: _dropped, ...rest } = table;
      // @ts-expect-error scoreParts has no handler
      const incomplete: EngineHandlers = rest;
      return Object.keys(incomplete);
    };
    expect(typeof partial).toBe('function');
  });

  it('the host checks params as they arrive; errors cross as {code, message} and arrive as InklingError', async () => {
    const { client, replies, server } = inProcess();
    // Wrong params from outside the type checker (another process): refused by name, host keeps serving.
    const notText = await rejection(client.score(42 as unknown as string).result);
    expect(notText.code).toBe('bad_request');
    expect(notText.message).toBe('score: text must be a string');
    const badParam = await rejection(client.generate({ prompt: 'x', params: { topK: -3 } }).result);
    expect(badParam.code).toBe('bad_request');
    expect(badParam.message).toMatch(/topK/);
    const noModel = await rejection(client.tokenize('hello'));
    expect(noModel.code).toBe('no_model');
    expect(noModel.message).toMatch(/^no model is loaded/);
    // On the wire: only a code and a message.
    const wire = replies.find((r) => r.type === 'error' && r.error.code === 'no_model');
    expect(wire && wire.type === 'error' && Object.keys(wire.error).sort()).toEqual(['code', 'message']);

    // Raw messages no client would send.
    server.handle({ id: 'x1', method: 'reboot', params: {} });
    server.handle({ id: 'x2', type: 'ping' });
    server.handle({ id: 'x3', method: 'window', params: { text: 'a', maxNewTokens: 'many' } });
    await new Promise((r) => setImmediate(r));
    const errorOf = (id: string) => {
      const r = replies.find((m) => m.id === id);
      return r?.type === 'error' ? r.error : null;
    };
    expect(errorOf('x1')).toEqual({ code: 'bad_request', message: "unknown request type 'reboot'" });
    expect(errorOf('x2')).toEqual({ code: 'bad_request', message: 'malformed request: expected {id, method, params}' });
    expect(errorOf('x3')).toEqual({ code: 'bad_request', message: 'window: maxNewTokens must be a number' });
    await client.dispose();
  });
});
