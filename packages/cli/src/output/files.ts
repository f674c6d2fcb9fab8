import { rename, writeFile } from 'node:fs/promises';

/** Write beside the file, then rename over it: a crash never leaves a half-written file. */
export async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.lameduck-${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
