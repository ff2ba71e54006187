import { describe, expect, it } from 'vitest';
import { type SubscriptionInfo, assignTasks } from './streams-partition-assignor.js';

const TASKS = ['0_0', '0_1', '0_2', '0_3', '0_4', '0_5'];
const STATE_A = ['0_0', '0_2', '0_4'];
const STATE_B = ['0_1', '0_3', '0_5'];
const member = (id: string, processId: string, previousTasks: string[], tasksWithState: string[]): { id: string; info: SubscriptionInfo } => ({
  id,
  info: { processId, previousTasks, tasksWithState, applicationServer: '' },
});

describe('assignTasks', () => {
  it('gives a thread added to a process its share, in one move', () => {
    // Two processes × two threads ran 6 tasks 2, 1 | 2, 1; process a adds a third thread.
    const members = [
      member('a1', 'a', ['0_0', '0_2'], STATE_A),
      member('a2', 'a', ['0_4'], STATE_A),
      member('a3', 'a', [], STATE_A),
      member('b1', 'b', ['0_1', '0_3'], STATE_B),
      member('b2', 'b', ['0_5'], STATE_B),
    ];
    const result = assignTasks(TASKS, members);
    expect([...result.values()].flat().sort()).toEqual(TASKS);
    // Shares by threads (3 : 2 of 6 tasks is 3.6 : 2.4), so a takes one of b's, on its new thread;
    // every other task stays where it was.
    expect(Object.fromEntries(result)).toEqual({ a1: ['0_0', '0_2'], a2: ['0_4'], a3: ['0_3'], b1: ['0_1'], b2: ['0_5'] });
  });

  it('keeps every task where it was when the loads are already even', () => {
    const members = [
      member('a1', 'a', ['0_0', '0_2'], STATE_A),
      member('a2', 'a', ['0_4'], STATE_A),
      member('b1', 'b', ['0_1', '0_3'], STATE_B),
      member('b2', 'b', ['0_5'], STATE_B),
    ];
    const result = assignTasks(TASKS, members);
    expect(Object.fromEntries(result)).toEqual({ a1: ['0_0', '0_2'], a2: ['0_4'], b1: ['0_1', '0_3'], b2: ['0_5'] });
  });

  it('gives a dead process’s tasks to the members that have their state', () => {
    const members = [member('a1', 'a', ['0_0', '0_2'], [...STATE_A, '0_1', '0_3']), member('a2', 'a', ['0_4'], [...STATE_A, '0_1', '0_3'])];
    const result = assignTasks(TASKS, members);
    expect(Object.fromEntries(result)).toEqual({ a1: ['0_0', '0_2', '0_1'], a2: ['0_4', '0_3', '0_5'] });
  });
});

describe('assignTasks across processes', () => {
  it('evens out two processes of two threads when one comes back: 3 tasks each, the returning one getting tasks it has state for', () => {
    // b died, a's threads ran all 6; b restarts with its old task directories.
    const all = [...STATE_A, ...STATE_B];
    const members = [
      member('a1', 'a', ['0_0', '0_2', '0_1'], all),
      member('a2', 'a', ['0_4', '0_3', '0_5'], all),
      member('b1', 'b', [], STATE_B),
      member('b2', 'b', [], STATE_B),
    ];
    const result = assignTasks(TASKS, members);
    expect([...result.values()].flat().sort()).toEqual(TASKS);
    const ofB = [...(result.get('b1') as string[]), ...(result.get('b2') as string[])];
    expect(ofB).toHaveLength(3);
    expect(STATE_B).toEqual(expect.arrayContaining(ofB));
    for (const ts of result.values()) expect(ts.length).toBeGreaterThanOrEqual(1);
  });

  it('shares by threads: a process with three threads takes more than one with two', () => {
    const members = [member('a1', 'a', [], []), member('a2', 'a', [], []), member('a3', 'a', [], []), member('b1', 'b', [], []), member('b2', 'b', [], [])];
    const result = assignTasks(
      Array.from({ length: 10 }, (_, p) => `0_${p}`),
      members,
    );
    expect([...result.values()].map((ts) => ts.length)).toEqual([2, 2, 2, 2, 2]);
    const twelve = assignTasks(
      Array.from({ length: 12 }, (_, p) => `0_${p}`),
      members,
    );
    const a = ['a1', 'a2', 'a3'].reduce((n, id) => n + (twelve.get(id) as string[]).length, 0);
    expect([a, 12 - a]).toEqual([7, 5]);
  });

  it('changes nothing on a rebalance that changes nothing', () => {
    const members = [member('a1', 'a', [], []), member('a2', 'a', [], []), member('b1', 'b', [], []), member('b2', 'b', [], [])];
    const first = assignTasks(TASKS, members);
    const again = assignTasks(
      TASKS,
      members.map((m) => member(m.id, m.info.processId, first.get(m.id) as string[], [])),
    );
    expect(Object.fromEntries(again)).toEqual(Object.fromEntries(first));
  });
});
