import { defineConfig } from 'vite';
import { healthflowViteConfig } from './vite/healthflowViteConfig.ts';

export default defineConfig(healthflowViteConfig({ defaultPort: 5199 }));
