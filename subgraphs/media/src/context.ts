import type { ChannelDirectory, SubgraphContext } from '@argus/platform';
import type { MediaNodeRegistry } from './node-registry.js';
import type { MediaService } from './media-service.js';
import type { SnapshotTaker } from './snapshots.js';
import type { TalkService } from './talk/talk-service.js';

export interface MediaContext extends SubgraphContext {
  media: MediaService;
  nodes: MediaNodeRegistry;
  channels: ChannelDirectory;
  snapshots: SnapshotTaker;
  talk: TalkService;
}
