/**
 * Child process for the kill-mid-save test (bundled with esbuild and run by plain Node, so it starts
 * in milliseconds). Saves version after version of a large document through the document service —
 * the same code path as the app's Save — until it is killed. Prints "start N" before and "done N"
 * after each save.
 *
 *   node saveChild.mjs save   <dataDir> <file> <firstVersion> <bytes>   (DocumentService.save)
 *   node saveChild.mjs backup <dataDir> <docId> <firstVersion> <bytes>  (the hot-exit backup)
 */
import { DocumentService } from '../../electron/services/documents';
import { makeVersion } from './versions';

async function main(): Promise<void> {
  const [mode, dataDir, target, first, bytes] = process.argv.slice(2);
  const docs = new DocumentService(dataDir);
  await docs.init();
  const { docId } = docs.newDocument('child');
  for (let n = Number(first); ; n++) {
    const text = makeVersion(n, Number(bytes));
    process.stdout.write(`start ${n}\n`);
    // Each run saves over the file the run before it left: a Save As the writer confirmed.
    if (mode === 'save') await docs.save(docId, text, 'child', target, { overwrite: true });
    else await docs.writeBackup({ docId: target, path: null, text }, 'child');
    process.stdout.write(`done ${n}\n`);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
