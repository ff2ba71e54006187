import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.js';

describe('ManualClock', () => {
  it('stands still until advanced, then runs the timers due, each at its own time', () => {
    const clock = new ManualClock(1_000);
    const ran: Array<[string, number]> = [];
    clock.setTimeout(() => ran.push(['b', clock.now()]), 20);
    clock.setTimeout(() => ran.push(['a', clock.now()]), 10);
    clock.setTimeout(() => ran.push(['c', clock.now()]), 30);
    expect(ran).toEqual([]);
    clock.advance(25);
    expect(ran).toEqual([
      ['a', 1_010],
      ['b', 1_020],
    ]);
    expect(clock.now()).toBe(1_025);
    expect(clock.pendingTimers).toBe(1);
    clock.advance(5);
    expect(ran.map(([name]) => name)).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('runs timers due at the same time in the order they were scheduled; a 0 ms timer waits for an advance', () => {
    const clock = new ManualClock();
    const ran: number[] = [];
    for (let i = 0; i < 5; i++) clock.setTimeout(() => ran.push(i), i % 2 === 0 ? 0 : 10);
    expect(ran).toEqual([]);
    clock.advance(0);
    expect(ran).toEqual([0, 2, 4]);
    clock.advance(10);
    expect(ran).toEqual([0, 2, 4, 1, 3]);
  });

  it('runs timers that callbacks schedule within the same advance when they fall due in it', () => {
    const clock = new ManualClock(0);
    const ran: Array<[string, number]> = [];
    clock.setTimeout(() => {
      ran.push(['first', clock.now()]);
      clock.setTimeout(() => ran.push(['chained', clock.now()]), 15);
      clock.setTimeout(() => ran.push(['too late', clock.now()]), 100);
    }, 10);
    clock.setTimeout(() => ran.push(['second', clock.now()]), 20);
    clock.advance(50);
    expect(ran).toEqual([
      ['first', 10],
      ['second', 20],
      ['chained', 25],
    ]);
    clock.advance(60);
    expect(ran.at(-1)).toEqual(['too late', 110]);
  });

  it('runs an interval once per period, until it is cancelled (also from its own callback)', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const interval = clock.setInterval(() => ticks.push(clock.now()), 100);
    clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    interval.cancel();
    clock.advance(1_000);
    expect(ticks).toEqual([100, 200, 300]);

    const self: number[] = [];
    const selfCancelling = clock.setInterval(() => {
      self.push(clock.now());
      if (self.length === 2) selfCancelling.cancel();
    }, 10);
    clock.advance(100);
    expect(self).toEqual([1_360, 1_370]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('interleaves intervals and timeouts in time order', () => {
    const clock = new ManualClock(0);
    const ran: string[] = [];
    clock.setInterval(() => ran.push(`i${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`t${clock.now()}`), 15);
    clock.setTimeout(() => ran.push(`u${clock.now()}`), 20);
    clock.advance(30);
    // At 20 both are due: the timeout was scheduled at 0, the interval's run at 20 only at 10.
    expect(ran).toEqual(['i10', 't15', 'u20', 'i20', 'i30']);
  });

  it('forgets a cancelled timer, and cancelling twice or after it ran is harmless', () => {
    const clock = new ManualClock();
    let ran = 0;
    const timer = clock.setTimeout(() => ran++, 10);
    const other = clock.setTimeout(() => ran++, 10);
    timer.cancel();
    timer.cancel();
    expect(clock.pendingTimers).toBe(1);
    clock.advance(10);
    expect(ran).toBe(1);
    other.cancel();
    expect(timer.unref()).toBe(timer);
  });

  it('lets an error from a callback reach the caller, with time stopped at that timer', () => {
    const clock = new ManualClock(0);
    let later = false;
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 10);
    clock.setTimeout(() => (later = true), 20);
    expect(() => clock.advance(30)).toThrow('boom');
    expect(clock.now()).toBe(10);
    expect(later).toBe(false);
    clock.advance(20);
    expect(later).toBe(true);
  });

  it('refuses to go back', () => {
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });
});

describe('systemClock', () => {
  it('runs a timeout on Node timers, and a cancelled one never', async () => {
    const ran: string[] = [];
    systemClock.setTimeout(() => ran.push('kept'), 1);
    systemClock.setTimeout(() => ran.push('cancelled'), 1).cancel();
    const interval = systemClock.setInterval(() => {
      ran.push('interval');
      interval.cancel();
    }, 1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran.sort()).toEqual(['interval', 'kept']);
  });

  it("clamps a delay beyond Node's longest instead of firing at once", async () => {
    let ran = false;
    const timer = systemClock.setTimeout(() => (ran = true), Number.MAX_SAFE_INTEGER).unref();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toBe(false);
    timer.cancel();
  });
});
