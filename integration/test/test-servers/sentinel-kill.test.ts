import { type RedisSentinelHandle, startRedisSentinel } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let topology: RedisSentinelHandle | undefined;

beforeAll(async () => {
  topology = await startRedisSentinel({ downAfterMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await topology?.close();
});

describe('startRedisSentinel().kill', () => {
  it('returns for a server that has already exited instead of waiting forever for its exit', async () => {
    if (topology === undefined)
      throw new Error('the Sentinel topology did not start (see the beforeAll failure)');
    const master = await topology.currentMaster();
    const replica = topology.servers.find((server) => server.port !== master.port);
    if (replica === undefined) throw new Error('the topology has no replica');
    await topology.kill(replica);
    const again = await Promise.race([
      topology.kill(replica).then(() => 'returned'),
      new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting after 10 s')),
    ]);
    expect(again).toBe('returned');
  }, 60_000);
});
