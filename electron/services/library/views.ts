/** What the Models page shows, built from the library core's records (electron/services/models). */
import * as path from 'node:path';
import type { Catalog, InstalledPrecision, LibraryModel, ModelPrecision } from '../../api/models';
import { MODEL_PRECISIONS } from '../../api/models';
import type { ModelInfo } from '../../api/types';
import { fitLabel, loadCatalog, memoryNeeded, type InstalledModel } from '../models';
import { compareWithFp32, precisionAdvice } from '../eval/records';

export function catalogView(totalMemoryBytes: number, installed: InstalledModel[], endpoint: string): Catalog {
  return {
    totalMemoryBytes,
    endpoint,
    models: loadCatalog().map((e) => {
      const have = installed.find((m) => m.id === e.id);
      return {
        id: e.id,
        name: e.name,
        repo: e.repo,
        description: e.description,
        license: e.license,
        parameters: e.parameters,
        downloadBytes: e.safetensorsBytesApprox,
        nLayer: e.n_layer,
        contextLength: e.n_positions,
        memory: MODEL_PRECISIONS.map((precision) => ({
          precision,
          bytes: memoryNeeded(e, precision).total,
          fit: fitLabel(e, precision, totalMemoryBytes),
        })),
        installed: have ? installedPrecisions(have) : [],
      };
    }),
  };
}

function installedPrecisions(m: InstalledModel): ModelPrecision[] {
  return MODEL_PRECISIONS.filter((p) => m.manifest.precisions[p]);
}

/** True when `dir` (the engine's ModelInfo.dir) is `modelDir` or inside it. */
export function isInside(dir: string, modelDir: string): boolean {
  const rel = path.relative(modelDir, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The precision of `m` the engine has loaded, or null. */
export function loadedPrecision(m: Pick<InstalledModel, 'dir'>, loaded: ModelInfo | null): ModelPrecision | null {
  if (!loaded || !isInside(loaded.dir, m.dir)) return null;
  return (MODEL_PRECISIONS as readonly string[]).includes(loaded.precision)
    ? (loaded.precision as ModelPrecision)
    : 'fp32';
}

export function libraryModelView(m: InstalledModel, loaded: ModelInfo | null): LibraryModel {
  const src = m.manifest.source;
  const precisions: InstalledPrecision[] = [];
  const vs = compareWithFp32(m.manifest);
  const advice = precisionAdvice(m.manifest);
  for (const p of MODEL_PRECISIONS) {
    const e = m.manifest.precisions[p];
    if (!e) continue;
    precisions.push({
      precision: p,
      bytes: e.bytes,
      format: e.format,
      ...(e.quantError
        ? { quantError: { top1Agreement: e.quantError.top1Agreement, meanKl: e.quantError.meanKl } }
        : {}),
      ...(vs[p] ? { vsFp32: vs[p] } : {}),
    });
  }
  return {
    id: m.id,
    name: m.manifest.name,
    source:
      src.kind === 'hub'
        ? { kind: 'hub', repo: src.repo, revision: src.revision, commit: src.commit }
        : { kind: 'import', path: src.path },
    dir: m.dir,
    bytes: m.bytes,
    precisions,
    isDefault: m.isDefault,
    loaded: loadedPrecision(m, loaded),
    ...(advice ? { precisionAdvice: advice } : {}),
    createdAt: m.manifest.createdAt,
  };
}
