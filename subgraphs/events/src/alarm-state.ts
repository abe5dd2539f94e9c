import { conflict } from '@argus/platform';
import { AlarmState } from './alarm-model.js';

export type AlarmAction = 'ACKNOWLEDGE' | 'CLEAR';

/** The only legal moves. Anything else (acknowledging a cleared alarm, clearing twice, …) is a CONFLICT. */
export const ALARM_TRANSITIONS: Readonly<Record<AlarmState, Partial<Record<AlarmAction, AlarmState>>>> = {
  [AlarmState.NEW]: { ACKNOWLEDGE: AlarmState.ACKNOWLEDGED, CLEAR: AlarmState.CLEARED },
  [AlarmState.ACKNOWLEDGED]: { CLEAR: AlarmState.CLEARED },
  [AlarmState.CLEARED]: {},
};

const VERB: Record<AlarmAction, string> = { ACKNOWLEDGE: 'acknowledged', CLEAR: 'cleared' };

/** The state `action` leads to from `current`, or a CONFLICT error explaining why it cannot be done. */
export function nextAlarmState(alarmId: string, current: AlarmState, action: AlarmAction): AlarmState {
  const next = ALARM_TRANSITIONS[current]?.[action];
  if (next) return next;
  const allowed = Object.keys(ALARM_TRANSITIONS[current] ?? {}).map((a) => VERB[a as AlarmAction]);
  throw conflict(
    `alarm ${alarmId} is ${current} and cannot be ${VERB[action]}` +
      (allowed.length ? `; from ${current} it can only be ${allowed.join(' or ')}` : `; ${current} is final`),
    { id: alarmId, state: current, action },
  );
}
