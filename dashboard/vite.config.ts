// Builds the dashboard (Preact, no JSX plugin needed: Vite's own transform handles it) into
// dist/dashboard, which the server serves at `/`. Assets are content-hashed under /assets/.
import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    // One small app: a single script and style sheet load faster than a tree of chunks.
    chunkSizeWarningLimit: 400,
  },
});
