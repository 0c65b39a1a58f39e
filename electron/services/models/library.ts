/**
 * The installed models: list, look up, default, delete. Only folders with a valid manifest are
 * models; anything else under `<dataDir>/models/` (an interrupted download, a conversion that
 * crashed) is invisible here and is resumed or replaced by the next pull of the same id.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InklingError } from '../../common/errors';
import { atomicWriteFile } from '../../common/fs';
import { dirSize } from './files';
import { withLock } from './lock';
import { MANIFEST_FILE, isValidId, manifestBytes, modelDir, modelsRoot, readManifest, type ModelManifest } from './manifest';

export interface InstalledModel {
  id: string;
  /** Absolute folder of the model (for "Show in folder"). */
  dir: string;
  manifest: ModelManifest;
  /** Bytes of the files the manifest names. */
  bytes: number;
  isDefault: boolean;
}

export interface BrokenModel {
  id: string;
  dir: string;
  /** Why the manifest could not be read, naming the file. */
  problem: string;
}

const LIBRARY_FILE = 'library.json';

interface LibraryState {
  schemaVersion: 1;
  defaultModel: string | null;
}

async function readState(dataDir: string): Promise<LibraryState> {
  try {
    const raw = JSON.parse(await fsp.readFile(path.join(modelsRoot(dataDir), LIBRARY_FILE), 'utf8')) as Partial<LibraryState>;
    return { schemaVersion: 1, defaultModel: typeof raw.defaultModel === 'string' ? raw.defaultModel : null };
  } catch {
    return { schemaVersion: 1, defaultModel: null };
  }
}

async function writeState(dataDir: string, state: LibraryState): Promise<void> {
  await fsp.mkdir(modelsRoot(dataDir), { recursive: true });
  await atomicWriteFile(path.join(modelsRoot(dataDir), LIBRARY_FILE), JSON.stringify(state, null, 2) + '\n');
}

async function candidateIds(dataDir: string): Promise<string[]> {
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(modelsRoot(dataDir), { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isDirectory() && isValidId(e.name)).map((e) => e.name).sort();
}

/** Installed models (valid manifest), sorted by id. Broken manifests are reported, not thrown. */
export async function scanLibrary(dataDir: string): Promise<{ models: InstalledModel[]; broken: BrokenModel[]; unfinished: string[] }> {
  const state = await readState(dataDir);
  const models: InstalledModel[] = [];
  const broken: BrokenModel[] = [];
  const unfinished: string[] = [];
  for (const id of await candidateIds(dataDir)) {
    const dir = modelDir(dataDir, id);
    try {
      const manifest = await readManifest(dataDir, id);
      if (!manifest) {
        unfinished.push(id);
        continue;
      }
      models.push({ id, dir, manifest, bytes: manifestBytes(manifest), isDefault: state.defaultModel === id });
    } catch (err) {
      broken.push({ id, dir, problem: (err as Error).message });
    }
  }
  return { models, broken, unfinished };
}

export async function listModels(dataDir: string): Promise<InstalledModel[]> {
  return (await scanLibrary(dataDir)).models;
}

export async function getModel(dataDir: string, id: string): Promise<InstalledModel | null> {
  if (!isValidId(id)) return null;
  const manifest = await readManifest(dataDir, id);
  if (!manifest) return null;
  const state = await readState(dataDir);
  return { id, dir: modelDir(dataDir, id), manifest, bytes: manifestBytes(manifest), isDefault: state.defaultModel === id };
}

async function requireModel(dataDir: string, id: string): Promise<InstalledModel> {
  const m = await getModel(dataDir, id);
  if (!m) throw new InklingError('not_found', `No model "${id}" is installed in ${modelsRoot(dataDir)}`);
  return m;
}

export async function setDefault(dataDir: string, id: string): Promise<void> {
  await requireModel(dataDir, id);
  await writeState(dataDir, { ...(await readState(dataDir)), defaultModel: id });
}

/** The default model's id, or null when none is set or it is no longer installed. */
export async function getDefault(dataDir: string): Promise<string | null> {
  const { defaultModel } = await readState(dataDir);
  if (!defaultModel) return null;
  return (await getModel(dataDir, defaultModel).catch(() => null)) ? defaultModel : null;
}

/**
 * Deletes a model folder (including leftovers such as partial downloads) and returns the bytes
 * freed. The manifest goes first, so a deletion cut short leaves an unlisted folder, never a
 * listed model with missing files. Also works on an unfinished (manifest-less) folder.
 */
export async function deleteModel(dataDir: string, id: string): Promise<number> {
  if (!isValidId(id)) throw new InklingError('not_found', `No model "${id}" is installed`);
  const dir = modelDir(dataDir, id);
  try {
    await fsp.access(dir);
  } catch {
    throw new InklingError('not_found', `No model "${id}" is installed in ${modelsRoot(dataDir)}`);
  }
  return withLock(dataDir, id, 'deleting', async () => {
    const bytes = await dirSize(dir);
    await fsp.rm(path.join(dir, MANIFEST_FILE), { force: true });
    await fsp.rm(dir, { recursive: true, force: true });
    const state = await readState(dataDir);
    if (state.defaultModel === id) await writeState(dataDir, { ...state, defaultModel: null });
    return bytes;
  });
}
