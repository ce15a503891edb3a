// A relative import on purpose: Vite bundles relative config imports, but would hand a workspace
// package's .ts file to Node as-is, which Node 20 cannot load.
import { defineConfig } from 'vite';
import { healthflowViteConfig } from '../shared/vite/healthflowViteConfig.ts';

export default defineConfig(healthflowViteConfig({ defaultPort: 5173 }));
