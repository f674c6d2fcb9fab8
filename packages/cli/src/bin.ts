import { main, programName } from './main.js';
import { readAllStdin } from './manifests/read.js';

process.exitCode = await main(
  process.argv.slice(2),
  { stdout: process.stdout, stderr: process.stderr, env: process.env, readStdin: () => readAllStdin() },
  programName(process.argv[1]),
);
