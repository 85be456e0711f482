import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The dev server proxies /api to a running `trackboard ui` (TRACKBOARD_API; its default port is 8080).
const api = process.env.TRACKBOARD_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [svelte()],
  base: './',
  build: {
    outDir: '../src/trackboard/server/static',
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: { proxy: { '/api': api } },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
