import { defineConfig } from 'tsdown';

export default defineConfig({
  entry: ['src/index.ts'],
  format: 'esm',
  // node:fs, node:os and process signals: this package only runs on Node.
  platform: 'node',
  // .js, as package.json's exports expect (the package is "type": "module").
  fixedExtension: false,
  dts: true,
  sourcemap: true,
});
