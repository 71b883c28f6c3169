// web_pdf: loads any public web page in the job's browser and attaches it printed to a PDF.
import { Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { loadPage, PageUrl, WaitUntil } from './capture-page.js';

/** The attached file's name, as `files[]` lists it. */
const FILE = 'page.pdf';

/**
 * Pages in a PDF: the largest `/Count` is the page tree's root, which counts every page.
 * Undefined when the file does not show one (an unexpected producer).
 */
export function pdfPageCount(pdf: Buffer): number | undefined {
  const counts = [...pdf.toString('latin1').matchAll(/\/Count\s+(\d+)/g)].map((m) => Number(m[1]));
  return counts.length > 0 ? Math.max(...counts) : undefined;
}

/** Prints one page anonymously, as the browser's "Save as PDF" would; the file is `page.pdf`. */
export const webPdf = defineAction({
  id: 'web_pdf',
  name: 'Save a web page as PDF',
  description:
    'Loads a public web page in a real browser and attaches it printed to a PDF (A4 or Letter, portrait or landscape), with its final URL, title and page count.',
  tags: ['web', 'pdf', 'print', 'browser', 'capture', 'archive'],
  authMode: 'none',
  credits: 3,
  type: 'read',
  mode: 'async',
  params: Type.Object(
    {
      url: PageUrl,
      format: Type.Optional(
        Type.Enum(['A4', 'Letter'], { default: 'A4', description: 'Paper size.' }),
      ),
      landscape: Type.Optional(
        Type.Boolean({ default: false, description: 'Print in landscape orientation.' }),
      ),
      print_background: Type.Optional(
        Type.Boolean({
          default: false,
          description: 'Print background colours and images, as the page shows them on screen.',
        }),
      ),
      wait_until: WaitUntil,
    },
    { additionalProperties: false },
  ),
  output: Type.Object({
    url: Type.String({ description: 'The URL asked for.' }),
    final_url: Type.String({ description: 'Where the page ended up, after redirects.' }),
    title: Type.Optional(Type.String({ description: 'The page title, when it has one.' })),
    format: Type.String({ description: 'The paper size used: A4 or Letter.' }),
    landscape: Type.Boolean(),
    pages: Type.Optional(Type.Integer({ description: 'Pages in the PDF.' })),
    file: Type.String({ description: 'The attached PDF, for GET /jobs/{id}/download?file=.' }),
  }),
  targets: (params) => [{ path: '/url', url: params.url }],
  async run(ctx) {
    const { url } = ctx.params;
    const format = ctx.params.format ?? 'A4';
    const landscape = ctx.params.landscape ?? false;
    ctx.log('Loading page', { url, format, landscape });
    const loaded = await loadPage(ctx.browser, url, { waitUntil: ctx.params.wait_until ?? 'load' });
    ctx.signal.throwIfAborted();
    const pdf = await loaded.page.pdf({
      format,
      landscape,
      printBackground: ctx.params.print_background ?? false,
    });
    if (pdf.toString('latin1', 0, 5) !== '%PDF-') {
      throw new ExecutionError('The browser returned a file that is not a PDF.');
    }
    const pages = pdfPageCount(pdf);
    ctx.files.add(FILE, 'application/pdf', pdf);
    ctx.log('Printed page', { bytes: pdf.length, pages });
    return {
      url,
      final_url: loaded.finalUrl,
      ...(loaded.title ? { title: loaded.title } : {}),
      format,
      landscape,
      ...(pages !== undefined ? { pages } : {}),
      file: FILE,
    };
  },
});
