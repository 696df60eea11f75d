/** fs.watch handles open in this process, after a full event-loop turn (handle closes complete in its close phase). */
export async function openWatchers(): Promise<number> {
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
}
