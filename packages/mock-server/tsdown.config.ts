import { defineConfig } from 'tsdown';

export default defineConfig({
  // cli.ts is the `connexease-mock` bin; it keeps its shebang.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: 'esm',
  // node:http, node:crypto and signals: this package only runs on Node.
  platform: 'node',
  // .js, as package.json's exports and bin expect (the package is "type": "module").
  fixedExtension: false,
  dts: true,
  sourcemap: true,
});
