#!/usr/bin/env node
// Committed launcher: npm links bins at install time, before dist/ is built, so the link must
// point at a file that always exists.
import('../dist/bin.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js')) {
    console.error('lameduck: not built yet; run `npm run build` in the repository first');
    process.exit(2);
  }
  throw error;
});
