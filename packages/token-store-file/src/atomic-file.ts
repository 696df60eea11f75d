import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errnoCode } from './errors.ts';

/** Suffix of the temporary files {@link writeFileAtomic} creates beside the target. */
export const TEMP_SUFFIX = '.tmp';

/** The file's text, or `null` if it does not exist. */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces `path` so that a crash at any point leaves either the old or the new content, never a
 * mix: write a temporary file in the same directory (mode 0600), fsync it, run `beforeCommit` (the
 * caller re-checks its lock there), rename over the target, fsync the directory so the rename
 * itself survives a power cut.
 */
export async function writeFileAtomic(
  path: string,
  text: string,
  beforeCommit: () => Promise<void> = async () => {},
): Promise<void> {
  const temp = `${path}.${process.pid}-${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await beforeCommit();
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** Deletes `path` if it exists and makes the deletion durable. */
export async function removeFileDurably(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return;
    throw error;
  }
  await syncDirectory(dirname(path));
}

/** fsync of a directory: makes renames and deletions in it durable. A no-op where unsupported (Windows). */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch (error) {
    const code = errnoCode(error);
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF' && code !== 'EACCES') {
      throw error;
    }
  } finally {
    await handle?.close();
  }
}
