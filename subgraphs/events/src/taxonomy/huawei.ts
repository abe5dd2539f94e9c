import { AlarmLevel, AlarmSource, AlarmType as T } from '../alarm-model.js';
import { tableOf, type TaxonomyEntry } from './entry.js';

const e = tableOf(AlarmSource.HUAWEI);
const { INFO, MINOR, MAJOR, CRITICAL } = AlarmLevel;

/**
 * Huawei IVM event types (huawei-ivm-api.txt): the `alarm_type` strings of device_alarm messages
 * (§10.1.4.2, table 10-15 告警算法与告警类型关系表, and the alarm_type enum of the alarm settings
 * APIs) and the numeric `trecord_type` of smart data (§20.6, table 20-3). Numeric codes of this
 * source are trecord_type values.
 */
export const HUAWEI_TAXONOMY: readonly TaxonomyEntry[] = [
  // table 10-15, classification ALARM
  e('motion_detection', T.MOTION, 'Motion detected', '移动侦测告警事件'),
  e('human_detection', T.PERSON, 'Person detected', '人形移动侦测告警事件'),
  e('abandon_alarm', T.OBJECT_LEFT, 'Object left behind', '物品遗留告警'),
  e('removed_alarm', T.OBJECT_REMOVED, 'Object removed', '物品移走告警'),
  e('lift_electric_alarm', T.EBIKE, 'Electric bike in lift', '电梯电瓶车告警'),
  e('electric_bicycle_alarm', T.EBIKE, 'Electric bike detected', '电瓶车告警'),
  e('illegal_parking_alarm', T.PARKING, 'Illegal parking', '违法停车告警'),
  e('fire_detect_alarm', T.FIRE, 'Fire detected (thermal)', '热成像告警'),
  e('io_event', T.IO_INPUT, 'External input', '外部IO输入事件'),
  // classification DEVICE
  e('disk_failure', T.DEVICE_FAULT, 'Disk failure', '设备磁盘故障事件'),
  e('device_offline', T.DEVICE_OFFLINE, 'Device offline', '设备离线告警'),
  // classification TARGET (target = person in the target library)
  e('target_alarm', T.FACE, 'Target recognised', '目标侦测告警'),
  e('target_high_frequency_alarm', T.FACE, 'Target seen frequently', '目标高频率出现告警'),
  // TARGET_DET
  e('mask_alarm', T.MASK, 'Mask not worn', '口罩告警'),
  // CROWD
  e('people_queue_alarm', T.CROWD, 'Queue too long', '排队长度告警'),
  e('people_count_region_alarm', T.CROWD, 'Crowd density', '人群密度告警'),
  e('people_count_line_alarm', T.PERSON_COUNT, 'People crossing line', '过线人数统计告警', MINOR),
  e('people_leave_station_alarm', T.OFF_DUTY, 'Absent from post', '人员离岗告警'),
  // PERIMETER
  e('over_line_alarm', T.LINE_CROSSING, 'Line crossed', '越线检测告警'),
  e('region_invasion_alarm', T.INTRUSION, 'Intrusion', '入侵检测告警'),
  e('region_in_alarm', T.INTRUSION, 'Area entered', '区域进入告警'),
  e('region_out_alarm', T.INTRUSION, 'Area left', '区域离开告警', MINOR),
  e('occlusion_alarm', T.TAMPER, 'Camera occluded', '遮挡告警', undefined,
    'table 10-15 labels it 遗留检测告警 (left object), the alarm_type enum 遮挡告警 (occlusion); the name says occlusion'),
  e('fast_move_alarm', T.FAST_MOVING, 'Fast movement', '快速移动告警'),
  e('linger_alarm', T.LOITERING, 'Loitering', '徘徊检测告警'),
  e('beh_parking_detection', T.PARKING, 'Parking detected', '停车检测告警'),
  // THIRDPARTY_INTELLIGENT
  e('thirdparty_intelligent', T.OTHER, 'Third-party algorithm alarm', '第三方算法告警', MINOR, 'meaning depends on the third-party algorithm'),
  // alarm_type enum of the alarm settings APIs, not in table 10-15
  e('face_alarm', T.FACE, 'Face alarm', '人脸告警'),
  // enter_count/leave_count/repeat_count messages (the spec writes 顾客_flow_statistics_alarm)
  e('customer_flow_statistics_alarm', T.PERSON_COUNT, 'Customer flow count', '顾客_flow_statistics_alarm', INFO, 'spelled 顾客_flow_statistics_alarm in §10.1.4.2'),
  // table 20-3 trecord_type
  e('0', T.MOTION, 'Motion detected', '移动侦测'),
  e('1', T.TAMPER, 'Camera occluded', '遮挡检测'),
  e('2', T.FACE, 'Target detected', '目标检测', INFO),
  e('3', T.FACE, 'Target detected (3559)', '3559目标检测', INFO),
  e('4', T.FACE, 'Target recognised (3559)', '3559目标识别'),
  e('5', T.INTRUSION, 'Intrusion', '入侵检测'),
  e('6', T.PERSON_COUNT, 'Target count', '目标计数'),
  e('7', T.TAMPER, 'Interference', '干扰检测'),
  e('8', T.TAMPER, 'Interference', '干扰检测', undefined, 'listed twice (7 and 8)'),
  e('9', T.DEVICE_FAULT, 'Network port state', '网络端口状态', MINOR),
  e('10', T.LINE_CROSSING, 'Tripwire crossed', '中硬拌线检测'),
  e('11', T.INTRUSION, 'Intrusion', '中硬入侵检测'),
  e('12', T.LOITERING, 'Loitering', '中硬徘徊检测'),
  e('13', T.OBJECT_LEFT, 'Object left behind', '中硬遗留检测'),
  e('14', T.OBJECT_REMOVED, 'Object removed', '中硬移走检测'),
  e('15', T.TAMPER, 'Interference', '中硬干扰检测'),
  e('16', T.OBJECT_LEFT, 'Object left behind', '中硬遗留检测', undefined, 'listed twice (13 and 16)'),
  e('17', T.AUDIO, 'Audio present or absent', '音频有无告警'),
  e('18', T.AUDIO, 'Audio dropped', '音频陡降告警'),
  e('19', T.AUDIO, 'Audio dropped', '音频陡降告警', undefined, 'listed twice (18 and 19)'),
  e('20', T.INTRUSION, 'Area entered', '区域进入'),
  e('21', T.INTRUSION, 'Area left', '区域离开', MINOR),
  e('22', T.FAST_MOVING, 'Fast movement', '快速移动'),
  e('23', T.TAMPER, 'Scene changed', '场景变更'),
  e('24', T.OTHER, 'Auto tracking', '自动跟踪', INFO, 'a PTZ tracking event; no finer category'),
  e('25', T.VIDEO_QUALITY, 'Out of focus', '虚焦检测'),
  e('26', T.CROWD, 'People gathering', '聚集侦测'),
  e('27', T.VIDEO_QUALITY, 'Image shaking', '抖动诊断'),
  e('28', T.VIDEO_QUALITY, 'Image frozen', '画面冻结诊断'),
  e('29', T.VIDEO_QUALITY, 'Snow noise', '雪花噪声诊断'),
  e('30', T.VIDEO_QUALITY, 'Stripe noise', '条纹噪声诊断'),
  e('31', T.VIDEO_QUALITY, 'Brightness abnormal', '亮度诊断'),
  e('32', T.VIDEO_QUALITY, 'Colour cast', '偏色诊断'),
  e('33', T.PARKING, 'Parking detected', '停车侦测'),
  e('34', T.VEHICLE, 'Vehicle, non-motor vehicle or person', '机非人', INFO),
  e('35', T.PERSON_COUNT, 'Line crossing count', '过线计数'),
  e('36', T.PLATE, 'Micro checkpoint', '微卡口', INFO),
  e('37', T.TRAFFIC, 'ITS violation', 'ITS违章信息'),
  e('38', T.SNAPSHOT, 'ITS stored picture', 'ITS存储图片'),
  e('39', T.CROWD, 'Crowd density', '人群密度'),
  e('40', T.CROWD, 'Queue detected', '排队检测', MINOR),
  e('41', T.PARKING, 'Illegal parking (dome camera)', '违停球'),
  e('42', T.TRAFFIC, 'Traffic congestion alarm', '交通拥堵告警'),
  e('43', T.VEHICLE, 'Vehicle, non-motor vehicle or person target', '机非人_目标', INFO),
  e('44', T.PARKING, 'Illegal parking', '违法停车'),
  e('45', T.TRAFFIC, 'Non-motor vehicle in motor lane', '非占机'),
  e('46', T.TRAFFIC, 'Motor vehicle in non-motor lane', '机占非'),
  e('47', T.TRAFFIC, 'Driving on the line', '压线'),
  e('48', T.WRONG_WAY, 'Wrong way', '逆行'),
  e('49', T.PLATE, 'Abnormal plate', '异常车牌', MAJOR),
  e('50', T.TRAFFIC, 'Traffic congestion', '交通拥堵'),
  e('51', T.TRAFFIC, 'Reversing', '倒车'),
  e('52', T.PLATE, 'Blacklisted vehicle', '车辆黑名单设防', MAJOR),
  e('53', T.PLATE, 'Whitelisted vehicle', '车辆白名单设防', INFO),
  e('54', T.PLATE, 'Plate covered', '遮挡车牌', MAJOR),
  e('55', T.FIGHT, 'Fight', '打架'),
  e('56', T.CLIMBING, 'Climbing', '攀爬'),
  e('57', T.FALL, 'Person fell', '跌倒'),
  e('58', T.RUNNING, 'Running', '跑步'),
  e('59', T.FIRE, 'Fire detected', '火点告警', CRITICAL),
  e('60', T.TEMPERATURE, 'Temperature alarm', '温控告警'),
];
