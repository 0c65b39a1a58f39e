/**
 * Export: the document as a standalone HTML page (Markdown rendered with `marked`, the document's
 * title in <title> and as the page's heading when it has none), as plain text, and as PDF (the same
 * HTML page printed: by Electron's printToPDF on the desktop, by the browser's Print dialog in
 * browser mode). The Markdown preview uses the same rendering.
 *
 * Raw HTML in the document is shown as text, never passed through, and links and images keep only
 * safe addresses (http, https, mailto, relative; images also data:image): an exported page carries
 * no script, whatever was pasted into the text.
 */
import { Marked, type Token, type Tokens } from 'marked';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** An address a link may point at in an exported page (no javascript:, vbscript:, file: …). */
export function safeHref(href: string, image = false): boolean {
  const h = href.trim().toLowerCase();
  if (/^(https?:|mailto:|#|\/|\.\/|\.\.\/)/.test(h)) return true;
  if (image && /^data:image\/(png|gif|jpeg|webp);/.test(h)) return true;
  // Relative addresses without a scheme ("notes.html", "img/a.png").
  return !/^[a-z][a-z0-9+.-]*:/.test(h);
}

const markdown = new Marked({ gfm: true, breaks: false });
markdown.use({
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    link({ href, title, tokens }) {
      const inner = this.parser.parseInline(tokens);
      if (!safeHref(href)) return inner;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${inner}</a>`;
    },
    image({ href, title, text }) {
      if (!safeHref(href, true)) return escapeHtml(text);
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}"${title ? ` title="${escapeHtml(title)}"` : ''}>`;
    },
  },
});

/**
 * Where each block starts in the text, for the preview: with `marks`, an empty
 * `<span class="src-mark" data-src="offset">` goes before each block's HTML (the export has none).
 */
export interface RenderOptions {
  marks?: boolean;
}

const mark = (offset: number) => `<span class="src-mark" data-src="${offset}"></span>`;

/** Markdown → HTML (a fragment). */
export function markdownToHtml(text: string, opts: RenderOptions = {}): string {
  if (!opts.marks) return markdown.parse(text, { async: false });
  // Block by block, each after a mark of its offset (the lexer's tokens tile the text by `raw`);
  // link definitions go with every block, so reference links still resolve.
  const tokens = markdown.lexer(text);
  let offset = 0;
  let html = '';
  for (const token of tokens) {
    const start = offset;
    offset += token.raw.length;
    if (token.type === 'space' || token.type === 'def') continue;
    html += mark(start) + markdown.parser(Object.assign([token], { links: tokens.links }));
  }
  return html;
}

/** Plain text (a .txt document) → HTML paragraphs, line breaks kept. */
export function plainToHtml(text: string, opts: RenderOptions = {}): string {
  const out: string[] = [];
  const gap = /\n\s*\n/g;
  let start = 0;
  for (;;) {
    const m = gap.exec(text);
    const end = m ? m.index : text.length;
    const p = text.slice(start, end);
    if (p.trim() !== '') out.push(`${opts.marks ? mark(start) : ''}<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
    if (!m) break;
    start = m.index + m[0].length;
  }
  return out.join('\n');
}

/** The document's title: its first level-1 heading (Markdown), else its file name without extension. */
export function documentTitle(text: string, name: string, isMarkdown: boolean): string {
  if (isMarkdown) {
    const m = /^#[ \t]+(.+?)[ \t#]*$/m.exec(text);
    if (m) return m[1].trim();
  }
  return name.replace(/\.(md|markdown|mdown|mkd|txt)$/i, '') || 'Untitled';
}

const PAGE_STYLE = `
  :root { color-scheme: light; }
  body { margin: 0 auto; max-width: 40em; padding: 3em 1.5em; font: 18px/1.6 'Iowan Old Style', 'Palatino Linotype', Palatino, Charter, Georgia, serif; color: #23211d; background: #fff; }
  h1, h2, h3, h4 { line-height: 1.25; margin: 1.6em 0 0.6em; }
  h1 { font-size: 2em; margin-top: 0; }
  p { margin: 0 0 1em; }
  blockquote { margin: 0 0 1em; padding-left: 1em; border-left: 3px solid #d8d2c6; color: #4a463f; }
  pre, code { font-family: 'SF Mono', Menlo, Consolas, 'DejaVu Sans Mono', monospace; font-size: 0.85em; }
  pre { background: #f4f2ec; padding: 0.8em 1em; overflow-x: auto; border-radius: 4px; }
  img { max-width: 100%; }
  hr { border: 0; border-top: 1px solid #d8d2c6; margin: 2em 0; }
  table { border-collapse: collapse; } th, td { border: 1px solid #d8d2c6; padding: 0.3em 0.6em; }
  @page { margin: 2cm; }
  @media print { body { padding: 0; max-width: none; font-size: 12pt; } a { color: inherit; } }
`;

/** A whole HTML page that opens on its own: charset, title, a readable style, the body. */
export function standaloneHtml(title: string, body: string, generator = 'Inkling'): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${escapeHtml(generator)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** The body of the exported page: the rendered text, with the title as a heading when it has none. */
export function htmlBody(text: string, name: string, isMarkdown: boolean): string {
  const body = isMarkdown ? markdownToHtml(text) : plainToHtml(text);
  const title = documentTitle(text, name, isMarkdown);
  const hasHeading = isMarkdown && /^#[ \t]+/m.test(text);
  return hasHeading ? body : `<h1>${escapeHtml(title)}</h1>\n${body}`;
}

export function exportHtml(text: string, name: string, isMarkdown: boolean): string {
  return standaloneHtml(documentTitle(text, name, isMarkdown), htmlBody(text, name, isMarkdown));
}

/** The text of inline tokens without their markup. */
function inlineText(tokens: readonly Token[] | undefined): string {
  let out = '';
  for (const t of tokens ?? []) {
    if (t.type === 'br') out += '\n';
    else if (t.type === 'image') out += (t as Tokens.Image).text;
    else if (t.type === 'html') out += t.raw.replace(/<[^>]*>/g, '');
    else if ('tokens' in t && t.tokens) out += inlineText(t.tokens);
    else if ('text' in t && typeof t.text === 'string')
      out += t.text.replace(
        /&(amp|lt|gt|quot|#39);/g,
        (_m, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!,
      );
  }
  return out;
}

function blockText(t: Token): string {
  switch (t.type) {
    case 'space':
    case 'def':
      return '';
    case 'heading':
    case 'paragraph':
      return inlineText(t.tokens);
    case 'text':
      return 'tokens' in t && t.tokens ? inlineText(t.tokens) : (t as Tokens.Text).text;
    case 'code':
      return (t as Tokens.Code).text;
    case 'blockquote':
      return (t as Tokens.Blockquote).tokens.map(blockText).filter(Boolean).join('\n\n');
    case 'list': {
      const list = t as Tokens.List;
      return list.items
        .map(
          (item, i) =>
            `${list.ordered ? `${Number(list.start || 1) + i}.` : '-'} ${item.tokens.map(blockText).filter(Boolean).join('\n').replace(/\n/g, '\n  ')}`,
        )
        .join('\n');
    }
    case 'table': {
      const table = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inlineText(c.tokens)).join('\t');
      return [row(table.header), ...table.rows.map(row)].join('\n');
    }
    case 'hr':
      return '* * *';
    case 'html':
      return t.raw.replace(/<[^>]*>/g, '').trim();
    default:
      return 'tokens' in t && t.tokens ? inlineText(t.tokens) : t.raw;
  }
}

/** Plain text: a Markdown document without its markup (a .txt document as it is). */
export function exportText(text: string, isMarkdown: boolean): string {
  if (!isMarkdown) return text;
  const blocks = markdown
    .lexer(text)
    .map(blockText)
    .filter((b) => b.trim() !== '');
  return blocks.join('\n\n') + '\n';
}
