import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Component styles go to the extracted CSS file, never into <style> tags
    // injected at run time: the server's CSP has no 'unsafe-inline'.
    css: 'external',
  },
};
