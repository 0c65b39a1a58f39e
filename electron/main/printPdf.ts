/**
 * PDF export, Electron's part: the standalone HTML page the renderer built is written to a temporary
 * file, loaded in a hidden window with JavaScript off and no preload, and printed with
 * `webContents.printToPDF`. Thin glue (Electron cannot run in the tests): the page itself is built
 * and tested in renderer/src/desk/exportDocument.ts, the file writing in the backend.
 */
import { BrowserWindow } from 'electron';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export async function printHtmlToPdf(html: string): Promise<Uint8Array> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'inkling-pdf-'));
  const file = path.join(dir, 'export.html');
  const win = new BrowserWindow({
    show: false,
    webPreferences: { javascript: false, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true },
  });
  try {
    await fsp.writeFile(file, html, 'utf8');
    await win.loadFile(file);
    // The page's own @page rule sets the margins; A4 unless the writer's printer settings say otherwise.
    return await win.webContents.printToPDF({ printBackground: false, pageSize: 'A4', preferCSSPageSize: true });
  } finally {
    win.destroy();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
