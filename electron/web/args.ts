/** Command line of the web host: `--port N` (0 = any free port), `--model DIR`, `--data-dir DIR`, `--no-build`. */
import { InklingError } from '../common/errors';

export interface WebArgs {
  port: number;
  modelDir: string | null;
  dataDir: string | null;
  build: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run web -- [--port N] [--model DIR] [--data-dir DIR] [--no-build]

  --port N        Port on 127.0.0.1 (default 0: any free port)
  --model DIR     Load this model folder at start
  --data-dir DIR  Keep settings, recent files and backups here (default: the app's user-data folder)
  --no-build      Serve dist/renderer as it is, without rebuilding it when stale

Open the second address it prints (…/#token=KEY): the page and every API call need this launch's
key. Set INKLING_WEB_TOKEN (32+ characters) to keep one key across restarts.`;

/** A command-line mistake (code `bad_request`); the message says which option and what it takes. */
export class ArgsError extends InklingError {
  constructor(message: string) {
    super('bad_request', message);
    this.name = 'ArgsError';
  }
}

export function parseWebArgs(argv: string[]): WebArgs {
  const out: WebArgs = { port: 0, modelDir: null, dataDir: null, build: true, help: false };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      inline = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '' || (inline === undefined && v.startsWith('--')))
        throw new ArgsError(`${arg} needs a value.`);
      return v;
    };
    switch (arg) {
      case '--port': {
        const raw = value();
        const n = Number(raw);
        if (!/^\d+$/.test(raw) || n > 65535)
          throw new ArgsError(`--port must be a whole number from 0 to 65535; got "${raw}".`);
        out.port = n;
        break;
      }
      case '--model':
        out.modelDir = value();
        break;
      case '--data-dir':
        out.dataDir = value();
        break;
      case '--no-build':
        out.build = false;
        break;
      case '--help':
      case '-h':
        out.help = true;
        break;
      default:
        throw new ArgsError(`Unknown option "${argv[i]}".`);
    }
  }
  return out;
}
