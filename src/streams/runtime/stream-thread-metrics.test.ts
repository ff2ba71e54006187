import { describe, expect, it } from 'vitest';
import { StreamThreadMetrics } from './stream-thread-metrics.js';
import type { ActiveTask } from './task-manager.js';

/** Just what the snapshot reads of an active task. */
function task(id: string, state: ActiveTask['state'], position: number, buffered: number, dropped = 0): ActiveTask {
  return {
    id,
    state,
    inputs: [{ topic: 'in', partition: Number(id.split('_')[1]) }],
    task: { context: { droppedRecords: dropped }, position: () => position },
    group: { size: () => buffered },
  } as unknown as ActiveTask;
}

describe('StreamThreadMetrics', () => {
  it('follows restoration from start to end, per task', () => {
    const m = new StreamThreadMetrics();
    m.restoreListener.onRestoreStart('0_1', 'app-s-changelog:1', 's', 100, 1100);
    m.restoreListener.onRestoreStart('0_1', 'app-t-changelog:1', 't', 0, 50);
    m.restoreListener.onBatchRestored('0_1', 'app-s-changelog:1', 's', 600, 500, 1100);
    let t = m.snapshot([task('0_1', 'restoring', 0, 0)], []).tasks[0];
    expect(t).toMatchObject({ taskId: '0_1', restoreTotal: 500, restoreRemainingRecordsTotal: 550 });
    expect(t.restoreRate).toBeGreaterThan(0);
    m.restoreListener.onBatchRestored('0_1', 'app-s-changelog:1', 's', 1100, 500, 1100);
    m.restoreListener.onRestoreEnd('0_1', 'app-s-changelog:1', 's', 1000);
    m.restoreListener.onRestoreEnd('0_1', 'app-t-changelog:1', 't', 0);
    const s = m.snapshot([task('0_1', 'running', 7, 0, 2)], []);
    t = s.tasks[0];
    expect(t).toMatchObject({ restoreTotal: 1000, restoreRemainingRecordsTotal: 0, droppedRecordsTotal: 2 });
    expect(s.activeRestoringTasks).toBe(0);
    // A task that left the thread is forgotten.
    expect(m.snapshot([], []).tasks).toEqual([]);
    expect(m.snapshot([task('0_1', 'running', 7, 0)], []).tasks[0].restoreTotal).toBe(0);
  });

  it('counts processing, commits, standby updates, and where each partition is', () => {
    const m = new StreamThreadMetrics();
    m.recordProcessed(300);
    m.recordProcessed(0);
    m.recordCommit(10);
    m.recordCommit(30);
    m.recordStandbyUpdate('0_2', 40);
    m.recordFetch('in', 0, 500, 449);
    const s = m.snapshot([task('0_0', 'running', 420, 30), task('0_3', 'running', 9, 0)], ['0_2']);
    expect(s).toMatchObject({ processTotal: 300, commitTotal: 2, commitLatencyAvg: 20, commitLatencyMax: 30, activeTasks: 2, standbyTasks: 1 });
    expect(s.tasks.find((x) => x.taskId === '0_2')).toMatchObject({ standby: true, updateTotal: 40 });
    expect(s.partitions).toEqual([
      { topic: 'in', partition: 0, position: 420, fetchedNext: 450, highWatermark: 500, buffered: 30 },
      { topic: 'in', partition: 3, position: 9, fetchedNext: null, highWatermark: null, buffered: 0 },
    ]);
  });
});
