// The one Vite + Vitest configuration both web apps use: dev proxy to the gateway, fixed ports, jsdom tests.
/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { ProxyOptions, UserConfig } from 'vite';

export interface HealthflowAppOptions {
  /** The app's fixed dev port (patient 5173, clinician 5174); env PORT overrides it. */
  defaultPort: number;
}

function gatewayProxy(target: string): ProxyOptions {
  return { target, changeOrigin: true };
}

/**
 * The alert stream is Server-Sent Events. Ask the gateway for an uncompressed body, tell any proxy in
 * front not to buffer, and send the response headers at once (Node holds them until the first body
 * write), so EventSource opens as soon as the gateway accepts and each event arrives when written.
 * http-proxy-3 already aborts the upstream request when the browser disconnects.
 */
function alertStreamProxy(target: string): ProxyOptions {
  return {
    target,
    changeOrigin: true,
    headers: { 'accept-encoding': 'identity' },
    configure(proxy) {
      proxy.on('proxyRes', (proxyRes, _req, res) => {
        proxyRes.headers['cache-control'] = 'no-cache, no-transform';
        proxyRes.headers['x-accel-buffering'] = 'no';
        // The proxy copies the headers right after this event; flush once they are on the response.
        process.nextTick(() => {
          if (!res.headersSent && !res.writableEnded) res.flushHeaders();
        });
      });
    },
  };
}

export function healthflowViteConfig({ defaultPort }: HealthflowAppOptions): UserConfig {
  const gatewayUrl = process.env.GATEWAY_URL || 'http://localhost:8080';
  const port = process.env.PORT ? Number(process.env.PORT) : defaultPort;
  const host = process.env.HOST || '127.0.0.1';
  // Vite takes the first matching key, so the stream's own entry comes before the general /api one.
  const proxy = {
    '/api/alerts/stream': alertStreamProxy(gatewayUrl),
    '/api': gatewayProxy(gatewayUrl),
    '/fhir': gatewayProxy(gatewayUrl),
    // The original's compatibility login endpoint; exact match so no app route is ever swallowed.
    '^/login$': gatewayProxy(gatewayUrl),
  };

  return {
    // Served from the site root by default; BASE_PATH lets both builds share one origin under sub-paths.
    base: process.env.BASE_PATH || '/',
    plugins: [react()],
    // Pre-bundle every dependency at start-up: otherwise the first visit to a lazy page (the charts) makes
    // the dev server discover a new dependency and reload the page, which also cuts the live alert stream.
    optimizeDeps: {
      include: ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'react-router-dom', 'recharts'],
    },
    server: { host, port, strictPort: true, proxy },
    preview: { host, port, strictPort: true, proxy },
    // No source maps in what the web image serves: they would publish the whole source to anyone with the URL.
    // The dev server (the AppHost's) maps everything for debugging.
    build: { outDir: 'dist', sourcemap: false },
    test: {
      environment: 'jsdom',
      setupFiles: [fileURLToPath(new URL('../src/testing/setupTests.ts', import.meta.url))],
      restoreMocks: true,
      // Generous because CI shares two cores with builds; tests wait for conditions, never for time.
      testTimeout: 30_000,
      unstubGlobals: true,
    },
  };
}
