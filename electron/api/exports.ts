/**
 * Export's part of the contract. The renderer turns the document into what is exported (a
 * standalone HTML page with the document's title, or plain text); the desktop host asks where to
 * save it and writes it — for PDF, Electron prints the window's page, which meanwhile shows only the
 * rendered document to print media (webContents.printToPDF). In the
 * browser the page downloads the file itself (and prints to PDF with the browser's print dialog).
 */
import { InklingError } from './errors';

export type ExportFormat = 'html' | 'pdf' | 'txt';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['html', 'pdf', 'txt'];

export interface ExportRequest {
  format: ExportFormat;
  /** File name offered in the save dialog ("Chapter 1.html"); no folders. */
  name: string;
  /** html: the standalone HTML page; txt: the text; pdf: unused (the page prints its print-only view). */
  content: string;
}

export interface ExportResult {
  /** Where the file was written. */
  path: string;
  bytes: number;
}

/** Largest export (characters): documents are at most 20 MB, and HTML adds markup. */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

export function exportRequest(where: string, v: unknown): ExportRequest {
  if (!v || typeof v !== 'object' || Array.isArray(v))
    throw new InklingError('bad_request', `${where} must be an object.`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['format', 'name', 'content'].includes(k))
      throw new InklingError(
        'bad_request',
        `${where} has an unknown field '${k}'; expected only format, name, content.`,
      );
  }
  if (!EXPORT_FORMATS.includes(o.format as ExportFormat)) {
    throw new InklingError('bad_request', `${where}.format must be one of ${EXPORT_FORMATS.join(', ')}.`);
  }
  if (typeof o.name !== 'string' || o.name.length === 0 || o.name.length > 255 || /[\\/\0]/.test(o.name)) {
    throw new InklingError('bad_request', `${where}.name must be a file name (1–255 characters, no folders).`);
  }
  if (typeof o.content !== 'string') throw new InklingError('bad_request', `${where}.content must be a string.`);
  if (o.content.length > MAX_EXPORT_CHARS) {
    throw new InklingError(
      'bad_request',
      `${where}.content is too long (${o.content.length} characters; the limit is ${MAX_EXPORT_CHARS}).`,
    );
  }
  return { format: o.format as ExportFormat, name: o.name, content: o.content };
}

/** The export's file name: the document's name with the format's extension. */
export function exportName(documentName: string, format: ExportFormat): string {
  const base = documentName.replace(/\.(md|markdown|mdown|mkd|txt)$/i, '') || 'Untitled';
  return `${base}.${format}`;
}
