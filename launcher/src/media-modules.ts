import type { MediaModule, SourcePuller } from '@argus/media';

/** The protocol modules a media node runs, and how it pulls on-demand sources. */
export const MEDIA_MODULES: MediaModule[] = [];

export const SOURCE_PULLER: SourcePuller | undefined = undefined;
