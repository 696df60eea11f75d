import { defineConfig } from 'tsdown';

export default defineConfig({
  // Four doors: services use the main entry; `store` is for store adapters (memory, file, Redis,
  // PostgreSQL, yours), `transport` for HTTP transports (http-ky, http-fetch) and custom issuers,
  // `diagnostics` for instrumentation (otel).
  entry: {
    index: 'src/index.ts',
    store: 'src/store/index.ts',
    transport: 'src/transport/index.ts',
    diagnostics: 'src/diagnostics/index.ts',
  },
  format: 'esm',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
});
