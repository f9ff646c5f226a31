import { defineConfig, defaultClientConditions } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.SOKHAN_API ?? 'http://localhost:3000';

// `source` first so @sokhan/common is compiled from common/src (no separate build step for the SPA).
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    chunkSizeWarningLimit: 2500,
    rolldownOptions: {
      output: {
        // Libraries that change rarely get their own long-cached chunks; TensorFlow.js stays in the playground's lazy chunk.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/ },
            { name: 'libs', test: /node_modules[\\/](@tanstack|i18next|react-i18next|socket\.io-client|engine\.io-client|engine\.io-parser|socket\.io-parser|@socket\.io|zod|picomatch)[\\/]/ },
          ],
        },
      },
    },
  },
});
