import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { constants, lstat, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from './errors.js';

/** Temporary files being written: removed if the process exits (Ctrl-C, a crash) before the rename. */
const inFlight = new Set<string>();
process.on('exit', () => {
  for (const temporary of inFlight) {
    try {
      unlinkSync(temporary);
    } catch {}
  }
});

/**
 * Write beside the file, then rename over it: a crash never leaves a half-written file. The
 * temporary file is created exclusively under an unpredictable name (a repository cannot plant a
 * symlink where it will be), never through a symlink, with the original file's mode; a symlink
 * given as the file itself is refused rather than replaced by a regular file.
 */
export async function replaceFile(file: string, text: string): Promise<void> {
  const current = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (current?.isSymbolicLink()) {
    throw new InputError(
      'is a symbolic link; lameduck writes only regular files',
      file,
      undefined,
      'give the file it points to',
    );
  }
  const temporary = join(dirname(file), `.${basename(file)}.lameduck-${randomBytes(8).toString('hex')}.tmp`);
  const mode = current ? current.mode & 0o7777 : 0o666;
  inFlight.add(temporary);
  try {
    const handle = await open(
      temporary,
      constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW,
      mode,
    );
    try {
      await handle.writeFile(text);
      // The umask applied at creation; the original mode is what the file had.
      if (current) await handle.chmod(mode);
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  } finally {
    inFlight.delete(temporary);
  }
}

const BOM = '\uFEFF';

/**
 * Replaces a text file's contents with `text` (as lameduck parsed it: no BOM, any line endings) and
 * keeps what the file's bytes say about themselves: its BOM and its CRLF line endings. A file that is
 * not valid UTF-8 is refused rather than rewritten with U+FFFD in place of its bytes.
 */
export async function rewriteTextFile(file: string, text: string): Promise<void> {
  const bytes = await readFile(file);
  let original: string;
  try {
    // ignoreBOM keeps the BOM in the decoded text (by default TextDecoder drops it).
    original = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(
      'is not valid UTF-8; rewriting it would replace those bytes',
      file,
      undefined,
      'fix it by hand, or convert it to UTF-8 first',
    );
  }
  const crlf = original.includes('\r\n');
  const body = crlf ? text.replace(/\r?\n/g, '\r\n') : text;
  await replaceFile(file, original.startsWith(BOM) && !body.startsWith(BOM) ? BOM + body : body);
}
