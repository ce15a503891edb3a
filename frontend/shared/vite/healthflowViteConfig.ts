// The one Vite + Vitest configuration both web apps use: dev proxy to the gateway, fixed ports, jsdom tests.
/// <reference types="vitest/config" />
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import type { ProxyOptions, UserConfig } from 'vite';

export interface HealthflowAppOptions {
  /** The app's fixed dev port (patient 5173, clinician 5174); env PORT overrides it. */
  defaultPort: number;
}

const alertStreamPath = '/api/alerts/stream';

function isAlertStream(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith(alertStreamPath);
}

/**
 * Proxies to the gateway so the apps only ever call relative URLs, exactly as they do behind the ALB.
 * The alert stream is Server-Sent Events: ask the upstream for an uncompressed body and tell any proxy
 * in front not to buffer, so each event reaches the browser as soon as the gateway writes it.
 */
function gatewayProxy(target: string): ProxyOptions {
  return {
    target,
    changeOrigin: true,
    configure(proxy) {
      proxy.on('proxyReq', (proxyReq, req, res) => {
        if (!isAlertStream(req)) return;
        proxyReq.setHeader('accept-encoding', 'identity');
        // A closed browser tab must also close the upstream stream, or the query-api keeps a dead subscriber.
        res.on('close', () => proxyReq.destroy());
      });
      proxy.on('proxyRes', (proxyRes, req) => {
        if (!isAlertStream(req)) return;
        proxyRes.headers['cache-control'] = 'no-cache, no-transform';
        proxyRes.headers['x-accel-buffering'] = 'no';
      });
    },
  };
}

export function healthflowViteConfig({ defaultPort }: HealthflowAppOptions): UserConfig {
  const gatewayUrl = process.env.GATEWAY_URL || 'http://localhost:8080';
  const port = process.env.PORT ? Number(process.env.PORT) : defaultPort;
  const host = process.env.HOST || '127.0.0.1';
  const proxy = {
    '/api': gatewayProxy(gatewayUrl),
    // The original's compatibility login endpoint; exact match so no app route is ever swallowed.
    '^/login$': gatewayProxy(gatewayUrl),
  };

  return {
    // Served from the site root by default; BASE_PATH lets both builds share one origin under sub-paths.
    base: process.env.BASE_PATH || '/',
    plugins: [react()],
    server: { host, port, strictPort: true, proxy },
    preview: { host, port, strictPort: true, proxy },
    build: { outDir: 'dist', sourcemap: true },
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
