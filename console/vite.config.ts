import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Paths Gatehouse serves itself; `npm run dev -w console` proxies them to a running Gatehouse. */
const apiPrefixes = ['/v1', '/oauth', '/sandbox', '/dev', '/docs', '/docs-json', '/health', '/admin'];
const target = process.env.GATEHOUSE_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // The console is served with `script-src 'self'`: no inline scripts, so no inline module preload polyfill.
    modulePreload: { polyfill: false },
  },
  server: { proxy: Object.fromEntries(apiPrefixes.map((p) => [p, { target, changeOrigin: false }])) },
});
