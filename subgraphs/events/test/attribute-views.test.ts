import { describe, expect, it } from 'vitest';
import { environmentOf, faceOf, personCountOf, temperatureOf, vehicleOf } from '../src/attribute-views.js';

describe('Alarm.face', () => {
  it('reads a tlv_report face record (describeTlvRecord names)', () => {
    expect(faceOf({ source: 'http-push', kind: 'tlv', target: 1, faceInfo: 1, faceGender: 1, faceAgeGroup: 5, faceMask: 0, faceExpression: 3, faceHat: 1, faceBeard: 0, faceHair: 1, faceGlass: 0, faceSimilarity: 10000, faceLiveness: 0, faceTemperature: 3712, objName: 'Li' })).toEqual({
      gender: 'MALE', ageGroup: 'ELDERLY', age: null, mask: false, glasses: 'NONE', hat: true, beard: false, hair: 'long', expression: 'sad',
      similarity: 100, liveness: false, temperature: 37.12, name: 'Li', thumbnailPath: null,
    });
  });

  it('reads the event_report face-attribute extern (age is a group there; "bread" is the beard)', () => {
    const json = JSON.stringify({ source: 'http-push', kind: 'event', extern: { gender: 2, age: 1, mask: 1, expression: 5, hat: 0, bread: 1, hair: 1, glass: 2, thumbnail_file_path: '/dev/sda/x.jpg' } });
    expect(faceOf(json)).toMatchObject({ gender: 'FEMALE', ageGroup: 'CHILD', age: null, mask: true, expression: 'surprised', hat: false, beard: true, hair: 'long', glasses: 'SUNGLASSES', thumbnailPath: '/dev/sda/x.jpg' });
    expect(faceOf({ kind: 'event', gender: 2, age: 1 }, 'HTTP_PUSH')).toMatchObject({ ageGroup: 'CHILD', age: null });
    expect(faceOf({ thumbnail_file_path: '/dev/sda/y.jpg' })).toMatchObject({ thumbnailPath: '/dev/sda/y.jpg', gender: null });
  });

  it('reads China Mobile faceAttr and Huawei target details', () => {
    const cmiot = { source: 'cmiot', msg: { faceAttr: { num: 1, faces: [{ gender: 'female', age: 31, ageGroup: 'young', glass: 'sunglasses', smile: 'yes', mask: 'no', live: 'yes', name: 'unknown' }] } } };
    expect(faceOf(cmiot)).toMatchObject({ gender: 'FEMALE', age: 31, ageGroup: 'YOUTH', glasses: 'SUNGLASSES', expression: 'smile', mask: false, liveness: true, name: null });
    expect(faceOf({ faceContrastAttr: { num: 1, faceContrasts: [{ similarity: 0.87, gender: 'male' }] } })?.similarity).toBe(87);
    expect(faceOf({ source: 'huawei', target: { name: 'Wang', gender: 'male', age: 40, age_group: 'MIDDLE_AGE', similarity: 92 } })).toMatchObject({ name: 'Wang', gender: 'MALE', age: 40, ageGroup: 'MIDDLE_AGED', similarity: 92 });
  });

  it('is null without face fields (a name alone is not a face)', () => {
    expect(faceOf(null)).toBeNull();
    expect(faceOf('not json')).toBeNull();
    expect(faceOf({ plate_no: 'A1' })).toBeNull();
    expect(faceOf({ extern: { name: 'rect 1' } })).toBeNull();
  });
});

describe('Alarm.vehicle', () => {
  it('reads the dual-parking extern codes', () => {
    expect(vehicleOf({ source: 'http-push', parking_id: 1, parking_name: 'P-07', plate_no: '京J66666', plate_type: 12, plate_color: 3, vehicle_type: 2, vehicle_color: 9, vehicle_orient: 2, entry_type: 'new_energy', lock_id: '', entry_plate_no: '' })).toEqual({
      plateNumber: '京J66666', plateColor: 'green', plateType: 'new energy', vehicleColor: 'white', vehicleType: 'SUV', direction: 'rear', parkingSpace: 'P-07', listType: 'new_energy',
    });
    // -1 means "all" (a filter value), not a reading
    expect(vehicleOf({ plate_no: 'A', plate_color: -1, vehicle_type: -1 })).toMatchObject({ plateColor: null, vehicleType: null });
  });

  it('reads China Mobile vehicleAttr strings and Huawei colour codes', () => {
    expect(vehicleOf({ vehicleAttr: { num: 1, vehicles: [{ plateNo: '沪A12345', plateColor: 'blue', color: 'white', vehicleType: 'SUVMPV', vehicleHead: 'forward' }] } })).toMatchObject({
      plateNumber: '沪A12345', plateColor: 'blue', vehicleColor: 'white', vehicleType: 'SUVMPV', direction: 'forward',
    });
    expect(vehicleOf({ source: 'huawei', plate_number: 'B1', plate_color: 5, vehicle_color: 2 })).toMatchObject({ plateColor: 'green', vehicleColor: 'grey' });
    expect(vehicleOf({ gender: 1 })).toBeNull();
  });
});

describe('Alarm.personCount, temperature, environment', () => {
  it('counts people from TLV, China Mobile and Huawei fields', () => {
    expect(personCountOf({ customerCountIn: 3, customerCountOut: 1, customerPass: 9, customerCountKeep: 2 })).toEqual({ in: 3, out: 1, passing: 9, staying: 2, total: 4 });
    expect(personCountOf({ customerFlowAttr: { inCount: 5, outCount: 6 } })).toMatchObject({ in: 5, out: 6, total: 11 });
    expect(personCountOf({ enter_count: 1, leave_count: 0, repeat_count: 4 })).toMatchObject({ in: 1, out: 0, staying: 4 });
    expect(personCountOf({ faceGender: 1 })).toBeNull();
  });

  it('reads report_temper_data regions and the TLV face temperature', () => {
    const t = temperatureOf({ temper_rect: [{ id: 0, name: 'rect 1', temper: 30.1, over_threshold: 100 }] });
    expect(t).toEqual({ value: 30.1, unit: 'CELSIUS', threshold: 100, overThreshold: false, regions: [{ id: '0', name: 'rect 1', value: 30.1, threshold: 100 }] });
    expect(temperatureOf({ faceTemperature: 3850 })).toMatchObject({ value: 38.5, overThreshold: null });
    expect(temperatureOf({ temper_rect: [] })).toBeNull();
    expect(temperatureOf({})).toBeNull();
  });

  it('reads modbus registers and their alarm flags, and pre-shaped readings', () => {
    expect(environmentOf({ deviceNo: 'x', data: { '@10': 1, '@2': 3.5 }, alarm: { '@2': 0 } })).toEqual({
      readings: [{ name: '@2', value: 3.5, unit: null, alarm: 'BELOW_MIN' }, { name: '@10', value: 1, unit: null, alarm: null }],
    });
    expect(environmentOf({ readings: [{ name: 'humidity', value: 40, unit: '%' }] })).toEqual({ readings: [{ name: 'humidity', value: 40, unit: '%', alarm: null }] });
    expect(environmentOf({ data: { device_id: 'x' } })).toBeNull();
  });
});
