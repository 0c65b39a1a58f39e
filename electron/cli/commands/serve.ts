/** serve: the local engine as an OpenAI-compatible HTTP server (electron/serve). */
import type { Command } from 'commander';
import { createServer } from 'node:net';
import { openModelFolder } from '../../services/library/resolve';
import { isLoopback, startServer } from '../../serve';
import { intArg } from '../main';

interface ServeOpts {
  model: string;
  port: number;
  host: string;
  apiKey?: string;
  modelName?: string;
  maxQueue: number;
  threads?: number;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Serve a model over an OpenAI-compatible API (GET /v1/models, POST /v1/completions)')
    .requiredOption(
      '--model <dir>',
      'a converted model folder, a Hugging Face checkpoint folder or ONNX export, or a model library folder',
    )
    .option('--port <n>', 'port to listen on (0 = any free port)', intArg('--port', 0, 65535), 8000)
    .option('--host <address>', 'address to listen on; anything but loopback requires --api-key', '127.0.0.1')
    .option('--api-key <key>', 'require "Authorization: Bearer <key>" on every request (default: $INKLING_API_KEY)')
    .option('--model-name <id>', "the model id clients send (default: the model folder's name)")
    .option(
      '--max-queue <n>',
      'requests queued or running before new ones are refused with 503',
      intArg('--max-queue', 1, 10000),
      32,
    )
    .option('--threads <n>', 'CPU threads for inference (0 = automatic)', intArg('--threads', 0, 256))
    .action(async (o: ServeOpts) => {
      const apiKey = o.apiKey ?? process.env.INKLING_API_KEY ?? '';
      // Refuse before the (slow) model load.
      if (!isLoopback(o.host) && !apiKey) {
        throw new Error(
          `--host ${o.host} would let other computers use this server: give it an --api-key (clients send it as "Authorization: Bearer <key>").`,
        );
      }
      await checkListenable(o.host, o.port);
      const { engine, info } = await openModelFolder(o.model, { threads: o.threads });
      const modelId = o.modelName ?? info.name;
      const server = await startServer({
        engine,
        modelId,
        vocabSize: info.vocabSize,
        host: o.host,
        port: o.port,
        apiKey,
        maxQueue: o.maxQueue,
        log: (m) => process.stderr.write(m + '\n'),
      }).catch(async (e: unknown) => {
        await engine.dispose();
        throw listenError(e, o.host, o.port);
      });
      process.stdout.write(`Inkling server ready at ${server.url} (model: ${modelId})\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
      await engine.dispose();
    });
}

function listenError(e: unknown, host: string, port: number): unknown {
  const code = (e as { code?: string }).code;
  if (code === 'EADDRINUSE')
    return new Error(`port ${port} on ${host} is already in use: choose another with --port (0 = any free port)`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new Error(`${host} is not an address of this computer: use 127.0.0.1, 0.0.0.0 or one of its own addresses`);
  if (code === 'EACCES')
    return new Error(`port ${port} needs administrator rights on this system: choose one above 1023 with --port`);
  return e;
}

/** Fails fast, before the model loads, when the address cannot be listened on (checked again at the real listen). */
async function checkListenable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(listenError(e, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
