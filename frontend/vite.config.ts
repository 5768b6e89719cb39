import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The built app is embedded in the Go binary and served under a strict
// Content-Security-Policy (no inline scripts or styles), so every script and
// stylesheet must end up in its own file under dist/assets.
export default defineConfig({
  plugins: [svelte({ emitCss: true })],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    cssCodeSplit: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': process.env.PLENARY_API ?? 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
