// web_screenshot: loads any public web page in the job's browser and attaches a PNG of it.
import { Type } from 'typebox';

import { ExecutionError } from '../../../runtime/index.js';
import { defineAction } from '../../define.js';
import { loadPage, PageUrl, WaitUntil } from './capture-page.js';

/** The attached file's name, as `files[]` lists it. */
const FILE = 'screenshot.png';
/**
 * Tallest full-page capture, px: Chromium cannot render taller images in one piece, and the
 * bytes have to fit a job file. Taller pages are cut there and reported as `truncated`.
 */
export const MAX_CAPTURE_HEIGHT = 16_384;

/** Width and height of a PNG, from its IHDR chunk (bytes 16–23). */
function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('latin1', 12, 16) !== 'IHDR') {
    throw new ExecutionError('The browser returned a screenshot that is not a PNG.');
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** Screenshots one page anonymously; the image is the job's file `screenshot.png`. */
export const webScreenshot = defineAction({
  id: 'web_screenshot',
  name: 'Screenshot a web page',
  description:
    'Loads a public web page in a real browser and attaches a PNG screenshot of it (the viewport, or the whole page), with its final URL and title.',
  tags: ['web', 'screenshot', 'browser', 'image', 'png', 'capture'],
  authMode: 'none',
  credits: 2,
  type: 'read',
  mode: 'async',
  params: Type.Object(
    {
      url: PageUrl,
      full_page: Type.Optional(
        Type.Boolean({
          default: false,
          description: `Capture the whole scrollable page (at most ${MAX_CAPTURE_HEIGHT} px tall) instead of the viewport.`,
        }),
      ),
      viewport_width: Type.Optional(
        Type.Integer({
          minimum: 320,
          maximum: 3840,
          default: 1280,
          description: 'Browser window width, px.',
        }),
      ),
      viewport_height: Type.Optional(
        Type.Integer({
          minimum: 240,
          maximum: 2160,
          default: 800,
          description: 'Browser window height, px.',
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
    width: Type.Integer({ description: 'Width of the image, px.' }),
    height: Type.Integer({ description: 'Height of the image, px.' }),
    truncated: Type.Boolean({
      description: `True when a full-page capture was cut at ${MAX_CAPTURE_HEIGHT} px.`,
    }),
    file: Type.String({ description: 'The attached PNG, for GET /jobs/{id}/download?file=.' }),
  }),
  targets: (params) => [{ path: '/url', url: params.url }],
  async run(ctx) {
    const { url } = ctx.params;
    const fullPage = ctx.params.full_page ?? false;
    const viewport = {
      width: ctx.params.viewport_width ?? 1280,
      height: ctx.params.viewport_height ?? 800,
    };
    ctx.log('Loading page', { url, viewport, full_page: fullPage });
    const loaded = await loadPage(ctx.browser, url, {
      waitUntil: ctx.params.wait_until ?? 'load',
      viewport,
    });
    let truncated = false;
    let clip: { x: number; y: number; width: number; height: number } | undefined;
    if (fullPage) {
      // A string expression: this Node project has no DOM types to type a page function with.
      const height = Number(await loaded.page.evaluate('document.documentElement.scrollHeight'));
      if (height > MAX_CAPTURE_HEIGHT) {
        truncated = true;
        clip = { x: 0, y: 0, width: viewport.width, height: MAX_CAPTURE_HEIGHT };
      }
    }
    ctx.signal.throwIfAborted();
    const png = await loaded.page.screenshot({
      type: 'png',
      fullPage,
      ...(clip ? { clip } : {}),
      timeout: 20_000,
    });
    const size = pngSize(png);
    ctx.files.add(FILE, 'image/png', png);
    ctx.log('Captured page', { ...size, bytes: png.length, truncated });
    return {
      url,
      final_url: loaded.finalUrl,
      ...(loaded.title ? { title: loaded.title } : {}),
      ...size,
      truncated,
      file: FILE,
    };
  },
});
