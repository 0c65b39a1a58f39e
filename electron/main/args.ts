/**
 * Inkling's own command-line options in the desktop app (Chromium's flags are left alone):
 * `--data-dir DIR` (a separate user-data folder, e.g. for tests) and `--model DIR`.
 */
export interface MainArgs {
  dataDir: string | null;
  modelDir: string | null;
}

export function parseMainArgs(argv: readonly string[]): MainArgs {
  const out: MainArgs = { dataDir: null, modelDir: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    for (const [flag, key] of [
      ['--data-dir', 'dataDir'],
      ['--model', 'modelDir'],
    ] as const) {
      if (a === flag && i + 1 < argv.length) out[key] = argv[++i];
      else if (a.startsWith(`${flag}=`)) out[key] = a.slice(flag.length + 1);
    }
  }
  return out;
}
