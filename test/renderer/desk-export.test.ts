/** Export and preview rendering: standalone HTML with the title, no script through, plain text without markup. */
import { describe, expect, it } from 'vitest';
import {
  documentTitle,
  exportHtml,
  exportText,
  markdownToHtml,
  plainToHtml,
  safeHref,
} from '../../renderer/src/desk/exportDocument';

const story = [
  '# The Harbour',
  '',
  'Morning came *slowly*, and the **boats** went out. See [the map](https://example.org/map "Map").',
  '',
  '> A quote.',
  '',
  '- one',
  '- two',
  '',
  '```',
  'code <here>',
  '```',
].join('\n');

describe('export', () => {
  it('makes a standalone HTML page titled after the first heading, with the Markdown rendered', () => {
    const html = exportHtml(story, 'harbour.md', true);
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>The Harbour</title>');
    expect(html).toContain('<h1>The Harbour</h1>');
    expect(html).toContain('<em>slowly</em>');
    expect(html).toContain('<strong>boats</strong>');
    expect(html).toContain('<a href="https://example.org/map" title="Map">the map</a>');
    expect(html).toContain('<blockquote>');
    expect(html).toContain('<li>two</li>');
    expect(html).toContain('code &lt;here&gt;');
  });

  it('titles a document without a heading after its file name, and adds that heading', () => {
    expect(documentTitle('Just text.', 'notes.md', true)).toBe('notes');
    expect(documentTitle('# Not a heading in a .txt', 'plain.txt', false)).toBe('plain');
    const html = exportHtml('Line one\nline two\n\nNext <b>para</b>', 'plain.txt', false);
    expect(html).toContain('<title>plain</title>');
    expect(html).toContain('<h1>plain</h1>');
    expect(plainToHtml('Line one\nline two\n\nNext <b>para</b>')).toBe(
      '<p>Line one<br>\nline two</p>\n<p>Next &lt;b&gt;para&lt;/b&gt;</p>',
    );
  });

  it('lets no script through: raw HTML is shown as text, unsafe links lose their address', () => {
    const html = markdownToHtml(
      'Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n[click](javascript:alert(3)) ![i](javascript:x)',
    );
    expect(html).not.toMatch(/<script|<img src=x|href="javascript/i);
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('click');
    expect(safeHref('notes/other.html')).toBe(true);
    expect(safeHref('JavaScript:alert(1)')).toBe(false);
    expect(safeHref('data:image/png;base64,AAAA', true)).toBe(true);
    expect(safeHref('data:text/html,<b>', true)).toBe(false);
  });

  it('exports plain text without the Markdown markup', () => {
    expect(exportText(story, true)).toBe(
      'The Harbour\n\nMorning came slowly, and the boats went out. See the map.\n\nA quote.\n\n- one\n- two\n\ncode <here>\n',
    );
    expect(exportText('# kept as is', false)).toBe('# kept as is');
  });
});
