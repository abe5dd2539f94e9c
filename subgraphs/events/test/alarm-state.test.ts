import { describe, expect, it } from 'vitest';
import { ALARM_TRANSITIONS, nextAlarmState, type AlarmAction } from '../src/alarm-state.js';
import { AlarmState } from '../src/alarm-model.js';

describe('alarm state transitions', () => {
  it('allows NEW → ACKNOWLEDGED → CLEARED and NEW → CLEARED', () => {
    expect(nextAlarmState('alm_1', AlarmState.NEW, 'ACKNOWLEDGE')).toBe(AlarmState.ACKNOWLEDGED);
    expect(nextAlarmState('alm_1', AlarmState.ACKNOWLEDGED, 'CLEAR')).toBe(AlarmState.CLEARED);
    expect(nextAlarmState('alm_1', AlarmState.NEW, 'CLEAR')).toBe(AlarmState.CLEARED);
  });

  it.each<[AlarmState, AlarmAction, RegExp]>([
    [AlarmState.CLEARED, 'ACKNOWLEDGE', /alarm alm_1 is CLEARED and cannot be acknowledged; CLEARED is final/],
    [AlarmState.CLEARED, 'CLEAR', /is CLEARED and cannot be cleared/],
    [AlarmState.ACKNOWLEDGED, 'ACKNOWLEDGE', /is ACKNOWLEDGED and cannot be acknowledged; from ACKNOWLEDGED it can only be cleared/],
  ])('refuses %s + %s with CONFLICT', (state, action, message) => {
    let error: any;
    try {
      nextAlarmState('alm_1', state, action);
    } catch (e) {
      error = e;
    }
    expect(error?.message).toMatch(message);
    expect(error?.extensions).toMatchObject({ code: 'CONFLICT', id: 'alm_1', state, action });
  });

  it('has a rule for every state, and CLEARED is terminal', () => {
    expect(Object.keys(ALARM_TRANSITIONS).sort()).toEqual(Object.values(AlarmState).sort());
    expect(ALARM_TRANSITIONS[AlarmState.CLEARED]).toEqual({});
  });
});
