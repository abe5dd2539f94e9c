import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type {
  AgeGroup, EnvironmentReadingView, EnvironmentView, FaceView, Gender, Glasses, PersonCountView,
  TemperatureRegionView, TemperatureView, VehicleView,
} from '../attribute-views.js';

const FaceGender = { MALE: 'MALE', FEMALE: 'FEMALE' } as const;
const FaceAgeGroup = { CHILD: 'CHILD', JUVENILE: 'JUVENILE', YOUTH: 'YOUTH', MIDDLE_AGED: 'MIDDLE_AGED', ELDERLY: 'ELDERLY' } as const;
const FaceGlasses = { NONE: 'NONE', GLASSES: 'GLASSES', SUNGLASSES: 'SUNGLASSES' } as const;
const AlarmTemperatureUnit = { CELSIUS: 'CELSIUS' } as const;
const EnvironmentReadingAlarm = { BELOW_MIN: 'BELOW_MIN', ABOVE_MAX: 'ABOVE_MAX' } as const;

registerEnumType(FaceGender, { name: 'FaceGender' });
registerEnumType(FaceAgeGroup, { name: 'FaceAgeGroup', description: 'Age group as cameras report it (child, juvenile, youth, middle-aged, elderly).' });
registerEnumType(FaceGlasses, { name: 'FaceGlasses' });
registerEnumType(AlarmTemperatureUnit, { name: 'AlarmTemperatureUnit' });
registerEnumType(EnvironmentReadingAlarm, { name: 'EnvironmentReadingAlarm', description: 'The device flags the reading below its minimum or above its maximum.' });

@ObjectType('AlarmPicture', { description: 'A picture of an alarm, served by the gateway under a signed, expiring URL.' })
export class AlarmPicture {
  @Field(() => String, { description: 'GET it without a token until expiresAt; query the alarm again for a fresh URL.' })
  url!: string;

  @Field(() => String, { description: 'image/jpeg or image/png.' })
  contentType!: string;

  @Field(() => Int, { description: 'Size in bytes.' })
  size!: number;

  @Field(() => Date)
  expiresAt!: Date;

  @Field(() => String, { nullable: true, description: 'The file name the device gave, if any.' })
  name?: string | null;
}

@ObjectType('AlarmFace', { description: 'Face attributes the device reported (null fields: not reported or unknown).' })
export class AlarmFace implements FaceView {
  @Field(() => FaceGender, { nullable: true }) gender!: Gender | null;
  @Field(() => FaceAgeGroup, { nullable: true }) ageGroup!: AgeGroup | null;
  @Field(() => Int, { nullable: true, description: 'Age in years, when the device estimates one.' }) age!: number | null;
  @Field(() => Boolean, { nullable: true }) mask!: boolean | null;
  @Field(() => FaceGlasses, { nullable: true }) glasses!: Glasses | null;
  @Field(() => Boolean, { nullable: true }) hat!: boolean | null;
  @Field(() => Boolean, { nullable: true }) beard!: boolean | null;
  @Field(() => String, { nullable: true, description: 'long or short.' }) hair!: string | null;
  @Field(() => String, { nullable: true, description: 'smile, angry, sad, normal, surprised, … (lower case).' }) expression!: string | null;
  @Field(() => Float, { nullable: true, description: 'Similarity to the matched library face, percent.' }) similarity!: number | null;
  @Field(() => Boolean, { nullable: true, description: 'A live person (not a photo).' }) liveness!: boolean | null;
  @Field(() => Float, { nullable: true, description: 'Face temperature, °C.' }) temperature!: number | null;
  @Field(() => String, { nullable: true, description: 'Name of the matched person or detected target.' }) name!: string | null;
  @Field(() => String, { nullable: true, description: 'Thumbnail path on the device, as reported.' }) thumbnailPath!: string | null;
}

@ObjectType('AlarmVehicle', { description: 'Vehicle and plate details the device reported.' })
export class AlarmVehicle implements VehicleView {
  @Field(() => String, { nullable: true }) plateNumber!: string | null;
  @Field(() => String, { nullable: true, description: 'blue, yellow, green, black, white, …' }) plateColor!: string | null;
  @Field(() => String, { nullable: true }) plateType!: string | null;
  @Field(() => String, { nullable: true }) vehicleColor!: string | null;
  @Field(() => String, { nullable: true, description: 'sedan, SUV, truck, bus, …' }) vehicleType!: string | null;
  @Field(() => String, { nullable: true, description: 'Side facing the camera: front, rear, side.' }) direction!: string | null;
  @Field(() => String, { nullable: true, description: 'Parking space: its name, or left / right.' }) parkingSpace!: string | null;
  @Field(() => String, { nullable: true, description: 'List the plate matched: whitelist, blacklist, unknown, new_energy, non_new_energy.' }) listType!: string | null;
}

@ObjectType('AlarmPersonCount', { description: 'People counted by the device (customer flow, line crossing).' })
export class AlarmPersonCount implements PersonCountView {
  @Field(() => Int, { nullable: true, description: 'People entering.' }) in!: number | null;
  @Field(() => Int, { nullable: true, description: 'People leaving.' }) out!: number | null;
  @Field(() => Int, { nullable: true, description: 'People passing by.' }) passing!: number | null;
  @Field(() => Int, { nullable: true, description: 'People staying.' }) staying!: number | null;
  @Field(() => Int, { nullable: true, description: "The device's total, else in + out." }) total!: number | null;
}

@ObjectType('AlarmTemperatureRegion')
export class AlarmTemperatureRegion implements TemperatureRegionView {
  @Field(() => String, { nullable: true }) id!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Float, { nullable: true }) value!: number | null;
  @Field(() => Float, { nullable: true, description: 'Over-temperature alarm threshold.' }) threshold!: number | null;
}

@ObjectType('AlarmTemperature', { description: 'Temperature measured by the device (thermal regions or a face).' })
export class AlarmTemperature implements TemperatureView {
  @Field(() => Float, { nullable: true, description: 'The highest reading.' }) value!: number | null;
  @Field(() => AlarmTemperatureUnit) unit!: 'CELSIUS';
  @Field(() => Float, { nullable: true, description: 'Threshold of the region with the highest reading.' }) threshold!: number | null;
  @Field(() => Boolean, { nullable: true, description: 'A reading is above its threshold.' }) overThreshold!: boolean | null;
  @Field(() => [AlarmTemperatureRegion]) regions!: AlarmTemperatureRegion[];
}

@ObjectType('AlarmEnvironmentReading')
export class AlarmEnvironmentReading implements EnvironmentReadingView {
  @Field(() => String, { description: 'Sensor or register name, e.g. "@0" for modbus register 0.' }) name!: string;
  @Field(() => Float, { nullable: true }) value!: number | null;
  @Field(() => String, { nullable: true }) unit!: string | null;
  @Field(() => EnvironmentReadingAlarm, { nullable: true }) alarm!: 'BELOW_MIN' | 'ABOVE_MAX' | null;
}

@ObjectType('AlarmEnvironment', { description: 'Environment sensor readings (modbus registers, external sensors).' })
export class AlarmEnvironment implements EnvironmentView {
  @Field(() => [AlarmEnvironmentReading]) readings!: AlarmEnvironmentReading[];
}
