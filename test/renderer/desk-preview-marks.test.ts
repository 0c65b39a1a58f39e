// The preview's block marks (exportDocument.ts): the same HTML as the export, with each block's
// offset in the text before it, so the preview can open where the cursor is.
import { describe, expect, it } from 'vitest';
import { markdownToHtml, plainToHtml } from '../../renderer/src/desk/exportDocument';

const strip = (html: string) => html.replace(/<span class="src-mark" data-src="\d+"><\/span>/g, '');
const marks = (html: string) => [...html.matchAll(/data-src="(\d+)"/g)].map((m) => Number(m[1]));

describe('preview marks', () => {
  const md = '# Title\n\nFirst para with a [ref][r].\n\n- one\n- two\n\n[r]: https://example.com\n\n> quoted\n\nLast.';

  it('Markdown: one mark before each rendered block, at the offset where the block starts; the HTML is the export’s', () => {
    const html = markdownToHtml(md, { marks: true });
    expect(marks(html)).toEqual([
      0,
      md.indexOf('First'),
      md.indexOf('- one'),
      md.indexOf('> quoted'),
      md.indexOf('Last'),
    ]);
    expect(strip(html).replace(/\n/g, '')).toBe(markdownToHtml(md).replace(/\n/g, ''));
    expect(html).toContain('<a href="https://example.com">ref</a>'); // reference links still resolve
  });

  it('plain text: a mark before each paragraph', () => {
    const txt = 'One\nline two\n\n\n  \nNext para\n\nLast';
    const html = plainToHtml(txt, { marks: true });
    expect(marks(html)).toEqual([0, txt.indexOf('Next'), txt.indexOf('Last')]);
    expect(strip(html)).toBe(plainToHtml(txt));
    expect(plainToHtml(txt)).not.toContain('src-mark');
  });
});
