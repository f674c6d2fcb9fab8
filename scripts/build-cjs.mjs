#!/usr/bin/env node
// The runtime library also ships CommonJS: compile src again into dist/cjs and mark that folder
// as CommonJS so Node and TypeScript read it as such.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'packages/node/tsconfig.cjs.json'], {
  stdio: 'inherit',
});
if (result.status !== 0) process.exit(result.status ?? 1);
writeFileSync('packages/node/dist/cjs/package.json', '{ "type": "commonjs" }\n');
