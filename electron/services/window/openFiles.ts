/**
 * Documents the operating system asks Inkling to open: a double-click in Finder / Explorer, "Open
 * With", a file dropped on the Dock icon, or `inkling notes.md` on a command line. Plain Node (the
 * Electron glue in electron/main/index.ts feeds it):
 *
 *   argv (first launch, and a second launch's argv)  ─┐
 *   macOS 'open-file' events (may come before ready) ─┴─ checkDocumentPaths ─→ OpenQueue ─→ a window
 *
 * A path is opened only when it names an existing file Inkling can open (.md, .markdown, .txt);
 * anything else becomes a message the writer sees. The queue holds both until a window has loaded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEXT_EXTENSIONS } from '../documents/textFile';

/** Inkling's own options that take a value (electron/main/args.ts): their value is not a document. */
const VALUE_OPTIONS = ['--data-dir', '--model'] as const;

export interface ArgvContext {
  /** The folder relative paths are relative to (the launching shell's working directory). */
  cwd: string;
  /** app.getAppPath(): an argument naming the app itself (`electron .`) is not a document. */
  appPath?: string;
  /**
   * process.defaultApp: the app runs under a bare Electron (`electron <app> …`), so the first plain
   * argument is the app, not a document.
   */
  defaultApp?: boolean;
}

/**
 * The arguments of a command line that name documents, as absolute paths, in order, not yet checked
 * on disk. argv[0] (the executable), flags (`--x`, `--x=y`, `-x`: Electron's, Chromium's and
 * Inkling's), the values of `--data-dir` / `--model`, and the app's own path are skipped; after `--`
 * every argument is a document. `file://` URLs (Linux desktop files pass %U) become paths.
 */
export function documentArgs(argv: readonly string[], ctx: ArgvContext): string[] {
  const out: string[] = [];
  const appPath = ctx.appPath ? path.resolve(ctx.cwd, ctx.appPath) : null;
  let skipApp = Boolean(ctx.defaultApp);
  let options = true;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (options) {
      if (a === '--') {
        options = false;
        continue;
      }
      if ((VALUE_OPTIONS as readonly string[]).includes(a)) {
        i++; // its value
        continue;
      }
      if (a.startsWith('-')) continue;
    }
    if (!a) continue;
    const full = toPath(a, ctx.cwd);
    if (skipApp) {
      skipApp = false;
      continue;
    }
    if (appPath && full !== null && full === appPath) continue;
    out.push(full ?? a);
  }
  return out;
}

/** An absolute path for an argument, or null for a URL that is not a file:// URL. */
function toPath(arg: string, cwd: string): string | null {
  if (/^file:\/\//i.test(arg)) {
    try {
      return path.resolve(fileURLToPath(arg));
    } catch {
      return null;
    }
  }
  // Any other URL scheme (two or more letters, so Windows drive letters are not mistaken for one).
  if (/^[a-z][a-z0-9+.-]+:/i.test(arg)) return null;
  return path.resolve(cwd, arg);
}

export interface OpenRequest {
  /** Files to open, absolute, each once. */
  paths: string[];
  /** Sentences for the writer about what could not be opened, and why. */
  errors: string[];
}

/** Just enough of fs.statSync for the check (tests pass their own). */
export type StatFn = (p: string) => { isFile(): boolean; isDirectory(): boolean };

const defaultStat: StatFn = (p) => fs.statSync(p);

/**
 * Keeps the paths that name an existing file with a supported extension; says why each other one
 * cannot be opened. `candidates` are absolute paths (documentArgs, or macOS 'open-file' paths).
 */
export function checkDocumentPaths(candidates: readonly string[], stat: StatFn = defaultStat): OpenRequest {
  const paths: string[] = [];
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const raw of candidates) {
    if (!path.isAbsolute(raw)) {
      errors.push(
        /^[a-z][a-z0-9+.-]+:/i.test(raw)
          ? `Inkling could not open ${raw}: only files on this computer can be opened, not links.`
          : `Inkling could not open "${raw}": it is not a full path.`,
      );
      continue;
    }
    const p = path.normalize(raw);
    if (seen.has(p)) continue;
    seen.add(p);
    const name = path.basename(p);
    // The documents service's list, so the two never disagree.
    const ext = path.extname(p).toLowerCase();
    if (!(TEXT_EXTENSIONS as readonly string[]).includes(ext)) {
      errors.push(
        `Inkling could not open ${name}: ${ext ? `"${ext}" files are` : 'files without an extension are'} not text or Markdown documents.`,
      );
      continue;
    }
    let st: ReturnType<StatFn>;
    try {
      st = stat(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException)?.code;
      errors.push(
        code === 'ENOENT' || code === 'ENOTDIR'
          ? `Inkling could not open ${name}: ${p} does not exist.`
          : code === 'EACCES' || code === 'EPERM'
            ? `Inkling could not open ${name}: permission denied (${p}).`
            : `Inkling could not open ${name} (${p}): ${(e as Error)?.message ?? String(e)}`,
      );
      continue;
    }
    if (st.isDirectory()) {
      errors.push(`Inkling could not open ${name}: ${p} is a folder.`);
      continue;
    }
    if (!st.isFile()) {
      errors.push(`Inkling could not open ${name}: ${p} is not a regular file.`);
      continue;
    }
    paths.push(p);
  }
  return { paths, errors };
}

/** documentArgs then checkDocumentPaths: what a command line asks Inkling to open. */
export function documentsFromArgv(argv: readonly string[], ctx: ArgvContext, stat: StatFn = defaultStat): OpenRequest {
  return checkDocumentPaths(documentArgs(argv, ctx), stat);
}

/**
 * Requests that arrive before a window can take them (macOS sends 'open-file' before the app is
 * ready; a window's page must have loaded to receive a command). `take()` hands over everything
 * queued, in arrival order, each path once.
 */
export class OpenQueue {
  private paths: string[] = [];
  private errors: string[] = [];

  add(request: OpenRequest): void {
    for (const p of request.paths) if (!this.paths.includes(p)) this.paths.push(p);
    this.errors.push(...request.errors);
  }

  get empty(): boolean {
    return this.paths.length === 0 && this.errors.length === 0;
  }

  take(): OpenRequest {
    const out = { paths: this.paths, errors: this.errors };
    this.paths = [];
    this.errors = [];
    return out;
  }
}

/** The message box for what could not be opened (null when everything could). */
export function openErrorMessage(errors: readonly string[]): { message: string; detail: string } | null {
  if (errors.length === 0) return null;
  return {
    message: errors.length === 1 ? 'Inkling could not open a file.' : `Inkling could not open ${errors.length} files.`,
    detail: `${errors.join('\n')}\n\nInkling opens plain text (.txt) and Markdown (.md, .markdown) files.`,
  };
}
