import { registerEnumType } from 'type-graphql';
import { AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType } from './alarm-model.js';

registerEnumType(AlarmType, { name: 'AlarmType', description: 'Kind of alarm, in Argus terms; the vendor code is in Alarm.sourceCode.' });
registerEnumType(AlarmLevel, { name: 'AlarmLevel', description: 'Severity, lowest to highest: INFO, MINOR, MAJOR, CRITICAL.' });
registerEnumType(AlarmStatus, { name: 'AlarmStatus', description: 'What the device reported: START, STOP, or PULSE (a one-off; no STOP follows).' });
registerEnumType(AlarmState, { name: 'AlarmState', description: 'Handling state: NEW → ACKNOWLEDGED → CLEARED, or NEW → CLEARED.' });
registerEnumType(AlarmSource, { name: 'AlarmSource', description: 'Protocol or platform family whose codes the alarm carries (Alarm.sourceCode is one of its codes).' });

export { AlarmLevel, AlarmSource, AlarmState, AlarmStatus, AlarmType };
