/**
 * Export… (File menu, Ctrl/Cmd+Shift+E): HTML page, PDF or plain text, with the document's title.
 * Desktop: the host asks where to save and writes the file (PDF printed by Electron). Browser: HTML
 * and text download; PDF opens the browser's Print dialog on the rendered page ("Save as PDF").
 */
import { useState } from 'react';
import { errorMessage, exportName, type ExportFormat } from '../../../electron/api';
import { useApp } from '../app/context';
import { Modal } from '../components/Modal';
import { languageFor } from '../editor/setup';
import './desk.css';
import { exportHtml, exportText, htmlBody } from './exportDocument';

/** Markdown unless the file is a .txt (an untitled document is saved as .md by default). */
export function isMarkdownDoc(meta: { path: string | null; name: string }): boolean {
  return meta.path === null || languageFor(meta.name) === 'markdown';
}

function download(name: string, content: string, type: string): void {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Shows only the rendered document to print media (the app's chrome is hidden by desk.css) until
 * the returned function is called. Browser mode then opens the Print dialog; the desktop app prints
 * the window's page to a PDF file (webContents.printToPDF).
 */
export function preparePrint(bodyHtml: string, title: string): () => void {
  let root = document.getElementById('print-root');
  if (!root) {
    root = document.createElement('article');
    root.id = 'print-root';
    document.body.append(root);
  }
  root.innerHTML = bodyHtml; // rendered by exportDocument.ts: raw HTML escaped, unsafe links dropped
  const before = document.title;
  document.title = title; // the browser names the PDF after the page's title
  document.documentElement.classList.add('printing');
  return () => {
    document.documentElement.classList.remove('printing');
    document.title = before;
  };
}

function printInBrowser(bodyHtml: string, title: string): void {
  const done = preparePrint(bodyHtml, title);
  const after = () => {
    done();
    window.removeEventListener('afterprint', after);
  };
  window.addEventListener('afterprint', after);
  window.print();
}

export function ExportDialog({ docId }: { docId: string }) {
  const { ui, sessions, documents, api, mode } = useApp();
  const [busy, setBusy] = useState(false);
  const meta = documents.getState().docs[docId];
  const close = () => ui.getState().closeDialog();
  if (!meta) return null;

  const run = async (format: ExportFormat) => {
    const text = sessions.text(docId) ?? '';
    const md = isMarkdownDoc(meta);
    const name = exportName(meta.name, format);
    const html = () => exportHtml(text, meta.name, md);
    if (mode === 'web') {
      close();
      if (format === 'html') download(name, html(), 'text/html;charset=utf-8');
      else if (format === 'txt') download(name, exportText(text, md), 'text/plain;charset=utf-8');
      else printInBrowser(htmlBody(text, meta.name, md), name.replace(/\.pdf$/, ''));
      return;
    }
    setBusy(true);
    const done =
      format === 'pdf' ? preparePrint(htmlBody(text, meta.name, md), name.replace(/\.pdf$/, '')) : () => undefined;
    try {
      const content = format === 'txt' ? exportText(text, md) : format === 'html' ? html() : '';
      const result = await api.exportDocument({ format, name, content });
      close();
      if (result) ui.getState().notify('info', `Exported to ${result.path}.`);
    } catch (e) {
      ui.getState().notify('error', `The export did not work: ${errorMessage(e)}`);
    } finally {
      done();
      setBusy(false);
    }
  };

  // The formats, in the order offered (the first has the focus).
  const choices: [ExportFormat, string][] = [
    ['html', 'Web page (.html)'],
    ['pdf', mode === 'web' ? 'PDF (Print → Save as PDF)' : 'PDF (.pdf)'],
    ['txt', 'Plain text (.txt)'],
  ];
  return (
    <Modal title={`Export “${meta.name}”`} onCancel={close} testId="export-dialog">
      <p className="modal-text">
        The document as it is now, titled after its first heading (or its name). The file you write in stays plain
        {isMarkdownDoc(meta) ? ' Markdown' : ' text'}.
      </p>
      <div className="export-choices">
        {choices.map(([format, label], i) => (
          <button
            key={format}
            type="button"
            className="button"
            disabled={busy}
            onClick={() => void run(format)}
            data-testid={`export-${format}`}
            data-autofocus={i === 0 ? '' : undefined}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="modal-actions">
        <button type="button" className="button" onClick={close}>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
