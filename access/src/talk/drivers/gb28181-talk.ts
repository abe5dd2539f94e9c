/**
 * GB28181 voice broadcast / talk (GB/T 28181 §9.12: MESSAGE Broadcast, then an INVITE from the
 * device for the audio): the hook the GB28181 driver fills. Until that driver exists, every talk to
 * a GB28181 channel is refused with this error, at resolve time (the talker gets 503 at once).
 */
import { DeviceTalkUnavailable } from '@argus/media';
import type { TalkDriver } from '../types.js';

const NOT_YET = 'GB28181 voice broadcast/talk is not implemented yet (it comes with the GB28181 driver)';

export const gb28181TalkDriver: TalkDriver = {
  name: 'GB28181',
  resolve() {
    throw new DeviceTalkUnavailable(NOT_YET);
  },
  async open() {
    throw new DeviceTalkUnavailable(NOT_YET);
  },
};
