/** Ogg pages (RFC 3533) with the Opus header packets (RFC 7845). */
export { OggError, OggErrorCode } from './errors.js';
export {
  buildOggPage, oggCrc, buildOpusHead, buildOpusTags, isOpusHeaderPacket, opusSamples,
  OGG_HEADER_BOS, OGG_HEADER_CONTINUED, OGG_HEADER_EOS, type OggPageInput,
} from './ogg.js';
