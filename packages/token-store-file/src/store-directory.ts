import { mkdir, stat } from 'node:fs/promises';
import { describeIoError, storeUnavailable } from './errors.ts';

/**
 * Creates the store directory (mode 0700) if missing and checks it. Resolves with a warning when
 * group or others may enter it: the files themselves stay 0600, but the owner should tighten it.
 */
export async function prepareDirectory(directory: string): Promise<string | null> {
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw storeUnavailable(
      `Could not create the token store directory ${directory}: ${describeIoError(error)}`,
      error,
    );
  }
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(directory);
  } catch (error) {
    throw storeUnavailable(
      `Could not read the token store directory ${directory}: ${describeIoError(error)}`,
      error,
    );
  }
  if (!info.isDirectory()) throw storeUnavailable(`The token store path ${directory} is not a directory.`);
  if (process.platform === 'win32') return null;
  const loose = Number(info.mode) & 0o077;
  if (loose !== 0) {
    const mode = (Number(info.mode) & 0o777).toString(8).padStart(3, '0');
    return `The token store directory ${directory} has mode ${mode}: group or others can list it. Tokens are in 0600 files, but run "chmod 700 ${directory}".`;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && Number(info.uid) !== uid) {
    return `The token store directory ${directory} belongs to uid ${info.uid}, not to this process (uid ${uid}).`;
  }
  return null;
}
