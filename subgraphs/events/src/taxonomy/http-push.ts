import { AlarmLevel, AlarmSource, AlarmType as T } from '../alarm-model.js';
import { tableOf, type TaxonomyEntry } from './entry.js';

const e = tableOf(AlarmSource.HTTP_PUSH);
const { INFO, MINOR, MAJOR } = AlarmLevel;

/**
 * Codes of the camera HTTP push protocol (camera-http-push-protocol.txt and its notes):
 * alarm_report `alarm_type`, event_report `type`, the report endpoints without a type of their
 * own, and the TLV target types (MetaTarget_e, §4.4.1.3) for tlv_report records.
 */
export const HTTP_PUSH_TAXONOMY: readonly TaxonomyEntry[] = [
  // §4.3.1 alarm_report alarm_type
  e('ebike_detection', T.EBIKE, 'Electric bike detected', '电动车检测'),
  e('falling_detection', T.FALLING_OBJECT, 'Object thrown from height', '高空抛物检测'),
  // §4.3.1 event_report type
  e('ebike_det', T.EBIKE, 'Electric bike detected', '电动车检测报警'),
  // 报警扩展数据: dual parking types
  e('dual_parking_new_energy', T.PARKING, 'New-energy vehicle in parking space', '新能源报警', MINOR),
  e('dual_parking_non_new_energy', T.PARKING, 'Non-new-energy vehicle in parking space', '非新能源报警', MINOR),
  e('dual_parking_exit_detected', T.PARKING, 'Vehicle left parking space', '离场检测', INFO),
  e('dual_parking_whitelist', T.PLATE, 'Whitelisted vehicle in parking space', '双车位白名单报警', INFO),
  e('dual_parking_blacklist', T.PLATE, 'Blacklisted vehicle in parking space', '双车位黑名单报警', MAJOR),
  e('dual_parking_unknown', T.PLATE, 'Unknown vehicle in parking space', '双车位陌生车辆报警', MINOR),
  e('dual_parking_occupied', T.PARKING, 'Parking space occupied', '双车位占位报警', MINOR),
  e('dual_parking_idle', T.PARKING, 'Parking space free', '双车位空闲报警', INFO),
  // the spec names these events without a type string (notes D27); the names a conforming client uses
  e('face_snap', T.FACE, 'Face captured', '人脸抓拍', INFO, 'type string assumed (notes D27)'),
  e('face_attr', T.FACE, 'Face attributes', '人脸属性', INFO, 'type string assumed (notes D27)'),
  e('timing_snap', T.SNAPSHOT, 'Scheduled snapshot', '定时抓拍事件', INFO, 'event 3; type string assumed (notes D27)'),
  // report endpoints whose body has no type (§4.3.1 rows 4-6); drivers publish the method name
  e('report_temper_data', T.TEMPERATURE, 'Temperature reading', '测温上报', MINOR, 'over threshold: the driver raises the level'),
  e('reportData', T.ENVIRONMENT, 'Environment sensor data', 'modbus 上报', INFO, '/rs/env/reportData.do'),
  e('modbus_report', T.ENVIRONMENT, 'Environment sensor data', 'modbus 上报', INFO, 'alias of reportData'),
  e('snap_report', T.SNAPSHOT, 'Snapshot', '抓拍上报', INFO),
  // §4.4.1.3 MetaTarget_e (tlv_report TARGET)
  e('META_TARGET_FACE', T.FACE, 'Face captured', '人脸', INFO, 'TARGET 1'),
  e('META_TARGET_BODY', T.PERSON, 'Person detected', '人体', MINOR, 'TARGET 2'),
  e('META_TARGET_MOTOR_VEHICLE', T.VEHICLE, 'Motor vehicle captured', '机动车', INFO, 'TARGET 3'),
  e('META_TARGET_NONMOTOR_VEHICLE', T.VEHICLE, 'Non-motor vehicle captured', '非机动车', INFO, 'TARGET 4'),
  e('META_TARGET_CUSTOMER_COUNTER', T.PERSON_COUNT, 'Customer flow count', '客流统计', INFO, 'TARGET 5'),
  e('META_TARGET_HOT_MAP', T.HEAT_MAP, 'Heat map', '热度图', INFO, 'TARGET 6'),
  e('META_TARGET_HOT_AREA', T.HEAT_MAP, 'Hot area', '热区', INFO, 'TARGET 7'),
  e('META_TARGET_CUSTOMER_COUNTER_BASIC', T.PERSON_COUNT, 'Customer flow basic data', '客流统计基础数据', INFO, 'TARGET 8'),
  e('META_TARGET_HOT_AREA_BASIC', T.HEAT_MAP, 'Hot area basic data', '热区基础数据', INFO, 'TARGET 9'),
  e('META_TARGET_EXTERNAL_SENSOR', T.ENVIRONMENT, 'External sensor data', '外接传感器数据', INFO, 'TARGET 10'),
  e('META_TARGET_COMMON', T.OTHER, 'Object detection', '通用内容，比如目标检测', INFO, 'TARGET 11: generic content'),
  e('META_TARGET_HUMAN_QUEUE_LENGTH', T.CROWD, 'Queue length', '排队长度', INFO, 'TARGET 13'),
  e('META_TARGET_LICENSE_PLATE_RECOGNITION', T.PLATE, 'Licence plate recognised', '车牌识别', INFO, 'TARGET 14'),
  e('META_TARGET_OCR', T.OCR, 'Text recognised', '字符识别', INFO, 'TARGET 15'),
  e('META_TARGET_CUSTOMER_GROUP_COUNTER', T.PERSON_COUNT, 'Customer group count', '客群统计', INFO, 'TARGET 16'),
];

/** MetaTarget_e values → the code above (tlv records that carry TARGET but no type string). */
export const META_TARGET_CODES: Readonly<Record<number, string>> = {
  1: 'META_TARGET_FACE',
  2: 'META_TARGET_BODY',
  3: 'META_TARGET_MOTOR_VEHICLE',
  4: 'META_TARGET_NONMOTOR_VEHICLE',
  5: 'META_TARGET_CUSTOMER_COUNTER',
  6: 'META_TARGET_HOT_MAP',
  7: 'META_TARGET_HOT_AREA',
  8: 'META_TARGET_CUSTOMER_COUNTER_BASIC',
  9: 'META_TARGET_HOT_AREA_BASIC',
  10: 'META_TARGET_EXTERNAL_SENSOR',
  11: 'META_TARGET_COMMON',
  13: 'META_TARGET_HUMAN_QUEUE_LENGTH',
  14: 'META_TARGET_LICENSE_PLATE_RECOGNITION',
  15: 'META_TARGET_OCR',
  16: 'META_TARGET_CUSTOMER_GROUP_COUNTER',
};

/** Type of an http-push report by its kind, when its code is not in the table (e.g. an ALAM record's own type). */
export const HTTP_PUSH_KIND_TYPE: Readonly<Record<string, T>> = {
  temperature: T.TEMPERATURE,
  environment: T.ENVIRONMENT,
  snapshot: T.SNAPSHOT,
};
