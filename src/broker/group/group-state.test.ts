import { describe, expect, it } from 'vitest';
import { ALL_GROUP_STATES, checkTransition, GroupState, IllegalGroupStateTransitionError, isValidTransition, parseGroupState } from './group-state.js';

describe('group state machine', () => {
  // Kafka's table (GroupMetadata.scala): the states each state may be entered from.
  const allowed: Array<[GroupState, GroupState]> = [
    ['PreparingRebalance', 'Empty'],
    ['Stable', 'PreparingRebalance'],
    ['CompletingRebalance', 'PreparingRebalance'],
    ['Empty', 'PreparingRebalance'],
    ['PreparingRebalance', 'CompletingRebalance'],
    ['CompletingRebalance', 'Stable'],
    ['Stable', 'Dead'],
    ['PreparingRebalance', 'Dead'],
    ['CompletingRebalance', 'Dead'],
    ['Empty', 'Dead'],
    ['Dead', 'Dead'],
  ];

  it('allows exactly the transitions Kafka allows', () => {
    for (const from of ALL_GROUP_STATES) {
      for (const to of ALL_GROUP_STATES) {
        const expected = allowed.some(([f, t]) => f === from && t === to);
        expect(isValidTransition(from, to), `${from} -> ${to}`).toBe(expected);
      }
    }
  });

  it('guards every other transition with an error naming the states', () => {
    expect(() => checkTransition('g', GroupState.Empty, GroupState.Stable)).toThrow(IllegalGroupStateTransitionError);
    expect(() => checkTransition('g', GroupState.Dead, GroupState.Empty)).toThrow(
      /Group g should be in one of PreparingRebalance before moving to Empty, but is Dead/,
    );
    expect(() => checkTransition('g', GroupState.Stable, GroupState.PreparingRebalance)).not.toThrow();
  });

  it('parses state filters case-insensitively', () => {
    expect(parseGroupState('stable')).toBe('Stable');
    expect(parseGroupState('PREPARINGREBALANCE')).toBe('PreparingRebalance');
    expect(parseGroupState('Rebalancing')).toBeUndefined();
  });
});
