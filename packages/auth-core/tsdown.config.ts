import { defineConfig } from 'tsdown';

export default defineConfig({
  // `transport` is the door for HTTP transports (http-ky, http-fetch); services use the main entry.
  entry: { index: 'src/index.ts', transport: 'src/transport/index.ts' },
  format: 'esm',
  platform: 'neutral',
  dts: true,
  sourcemap: true,
});
