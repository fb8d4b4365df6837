import { describe, expect, it } from 'vitest';
import { parseSchedstat, readMainThreadSchedule, runQueueWaitBetween } from './schedstat.js';

describe('schedstat', () => {
  it('reads run time, wait time and timeslices, and nothing else', () => {
    expect(parseSchedstat('5563173 7324643 5\n')).toEqual({ runNs: 5563173, waitNs: 7324643, timeslices: 5 });
    expect(parseSchedstat('1 2')).toBeUndefined();
    expect(parseSchedstat('a b c')).toBeUndefined();
  });

  it('turns two readings into wait per second, wait per timeslice and CPU share', () => {
    const before = { runNs: 0, waitNs: 0, timeslices: 0 };
    const after = { runNs: 500e6, waitNs: 20e6, timeslices: 1_000 };
    expect(runQueueWaitBetween(before, after, 2_000)).toEqual({
      waitMsPerSecond: 10,
      waitMicrosPerTimeslice: 20,
      runPercent: 25,
    });
  });

  it("reads this process's main thread, and nothing for a process that is gone", () => {
    const now = readMainThreadSchedule(process.pid);
    expect(now?.runNs).toBeGreaterThan(0);
    expect(readMainThreadSchedule(2 ** 30)).toBeUndefined();
  });
});
