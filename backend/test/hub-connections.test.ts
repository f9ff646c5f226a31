import { describe, expect, it } from 'vitest';
import { bytesDone, chunkSizeFor, contiguousEnd, fitsFile, newChunkMap } from '../src/modules/hub/chunk-plan.js';
import { ConnectionBudget, HostLimiter, Semaphore } from '../src/modules/hub/connection-limiter.js';

const MiB = 1024 * 1024;

describe('connection budget', () => {
  it('never lets a download pass its bound, nor a host its own, and serves waiters in order', async () => {
    const hosts = new HostLimiter(3);
    const a = new ConnectionBudget(new Semaphore(2), hosts);
    const b = new ConnectionBudget(new Semaphore(2), hosts);
    const url = 'http://127.0.0.1:9/file';
    const held = [await a.take(url), await a.take(url), await b.take(url)];
    expect([a.inUse, b.inUse, hosts.forUrl(url).inUse]).toEqual([2, 1, 3]);

    const order: string[] = [];
    const aWaits = a.take(url).then((r) => (order.push('a'), r)); // waits for a's own bound
    const bWaits = b.take(url).then((r) => (order.push('b'), r)); // waits for the host
    await new Promise((r) => setTimeout(r, 0));
    expect(order).toEqual([]);
    // Giving back one of a's: its host slot goes to b (first in the host's queue), its download slot to a,
    // which now queues for the host.
    held[0]!();
    held[0]!(); // giving back twice is harmless
    const bGot = await bWaits;
    expect(order).toEqual(['b']);
    expect([a.inUse, b.inUse, hosts.forUrl(url).inUse]).toEqual([2, 2, 3]);
    held[2]!();
    const aGot = await aWaits;
    expect(order).toEqual(['b', 'a']);
    expect([a.inUse, b.inUse, hosts.forUrl(url).inUse]).toEqual([2, 1, 3]);
    for (const r of [aGot, bGot, held[1]!]) r();
    expect([a.inUse, b.inUse, hosts.forUrl(url).inUse]).toEqual([0, 0, 0]);
  });

  it('gives the slot up when the wait is aborted', async () => {
    const budget = new ConnectionBudget(new Semaphore(1), null);
    const release = await budget.take('http://127.0.0.1:9/x');
    const ctrl = new AbortController();
    const waiting = budget.take('http://127.0.0.1:9/x', ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    release();
    expect(budget.inUse).toBe(0);
    const again = await budget.take('http://127.0.0.1:9/x');
    expect(budget.inUse).toBe(1);
    again();
  });
});

describe('chunk plan', () => {
  it('cuts about four pieces per connection, 4 to 64 MiB each', () => {
    expect(chunkSizeFor(16 * MiB, 2)).toBe(4 * MiB);
    expect(chunkSizeFor(256 * MiB, 8)).toBe(8 * MiB);
    expect(chunkSizeFor(8 * 1024 * MiB, 8)).toBe(64 * MiB);
    const map = newChunkMap(10 * MiB + 5, 'ab', 2);
    expect(map.done).toHaveLength(3);
  });

  it('knows the contiguous prefix and refuses a map of other content', () => {
    const map = newChunkMap(12 * MiB, 'ab', 1);
    map.done = [4 * MiB, 1000, 4 * MiB];
    expect(contiguousEnd(map)).toBe(4 * MiB + 1000);
    expect(bytesDone(map)).toBe(8 * MiB + 1000);
    expect(fitsFile(map, 12 * MiB, 'ab')).toBe(true);
    expect(fitsFile(map, 12 * MiB, 'cd')).toBe(false);
    expect(fitsFile({ ...map, done: [4 * MiB, 4 * MiB + 1, 0] }, 12 * MiB, 'ab')).toBe(false);
  });
});
