import { defineConfig } from 'tsdown';

export default defineConfig({
  // cli.ts is the `connexease-auth` bin; it keeps its shebang.
  entry: ['src/index.ts', 'src/cli.ts'],
  format: 'esm',
  // process, node:fs, TTY raw mode and the Redis client: this package only runs on Node.
  platform: 'node',
  // .js, as package.json's exports and bin expect (the package is "type": "module").
  fixedExtension: false,
  dts: true,
  sourcemap: true,
});
