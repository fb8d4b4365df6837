import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The built dashboard is served by every `ringkv node` at `/`, so it uses relative asset paths and talks to
// the node that served it (same origin), which passes the node's WebSocket origin check.
export default defineConfig({
  plugins: [react()],
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
});
