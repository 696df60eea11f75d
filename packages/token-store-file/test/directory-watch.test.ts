import { join } from 'node:path';
import type { AuthEvent } from '@connexease-kit/auth-core';
import { tempDirectory } from '@connexease-kit/test-servers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DirectoryWatch } from '../src/directory-watch.ts';
import { openWatchers } from './support/open-watchers.ts';

function directoryWatch(directory: string, watch: boolean, events: AuthEvent[]): DirectoryWatch {
  return new DirectoryWatch({
    directory,
    watch,
    fileNameOf: (ns) => `${ns}.json`,
    emit: (event) => events.push(event),
  });
}

describe('DirectoryWatch', () => {
  it('says once that the directory cannot be watched, and still passes on this process’s commits', async () => {
    const before = await openWatchers();
    const events: AuthEvent[] = [];
    const missing = join(tempDirectory('file-unwatchable', onTestFinished), 'missing');
    const watch = directoryWatch(missing, true, events);
    let woken = 0;
    const stop = watch.subscribe('ns', () => woken++);
    watch.subscribe('other', () => {})(); // a second listener does not try (and warn) again

    watch.notify('ns');
    stop();
    expect(woken, 'a local commit still wakes the listener').toBe(1);
    expect(events).toEqual([
      { type: 'warning', message: expect.stringContaining('waiting falls back to polling') },
    ]);
    expect(await openWatchers(), 'no watcher left open').toBe(before);
  });

  it('with watch: false opens no watcher and warns about nothing', async () => {
    const before = await openWatchers();
    const events: AuthEvent[] = [];
    const watch = directoryWatch(tempDirectory('file-unwatched', onTestFinished), false, events);
    let woken = 0;
    const stop = watch.subscribe('ns', () => woken++);

    expect(await openWatchers()).toBe(before);
    watch.notify('ns');
    stop();
    expect(woken).toBe(1);
    expect(events).toEqual([]);
  });
});
