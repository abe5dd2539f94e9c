import {
  ArgusError, ErrorCode, INTERNAL_CONTEXT_HEADER, notFound,
  type CallerContext, type InternalContextSigner,
} from '@argus/platform';

/** Most devices a group filter may cover (the alarm query then lists them by id). */
export const MAX_GROUP_DEVICES = 10_000;
const PAGE = 500;

const QUERY = `query ArgusEventsGroupDevices($group: ID!, $filter: DeviceFilter!, $after: String) {
  group(id: $group) { id }
  devices(filter: $filter, first: ${PAGE}, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
}`;

interface Answer {
  data?: {
    group: { id: string } | null;
    devices: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { id: string } }> } | null;
  } | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

/**
 * The devices of a device group (or of its whole subtree), asked of the devices subgraph with the
 * caller's own signed context, so devices applies its tenant rules: a group of another tenant is
 * NOT_FOUND, exactly like an unknown one. Used by the alarms filter { groupId, includeSubgroups }.
 * Answers are cached for a few seconds per caller and group (device moves show up within that).
 */
export class GroupDevices {
  private cache = new Map<string, { ids: Promise<string[]>; until: number }>();

  constructor(
    private readonly devicesUrl: string,
    private readonly signer: InternalContextSigner,
    private readonly ttlMs = 5_000,
  ) {}

  deviceIds(caller: CallerContext, groupId: string, includeSubgroups: boolean): Promise<string[]> {
    const key = `${caller.tenantId ?? '*'}|${caller.role}|${groupId}|${includeSubgroups}`;
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.ids;
    if (this.cache.size > 10_000) this.cache.clear();
    const ids = this.fetchAll(caller, groupId, includeSubgroups);
    this.cache.set(key, { ids, until: now + this.ttlMs });
    ids.catch(() => this.cache.delete(key));
    return ids;
  }

  private async fetchAll(caller: CallerContext, groupId: string, includeSubgroups: boolean): Promise<string[]> {
    const ids: string[] = [];
    let after: string | null = null;
    for (;;) {
      const body = await this.ask(caller, { group: groupId, filter: { groupId, includeSubgroups }, after });
      if (!body.group) throw notFound('group', groupId);
      const page = body.devices!;
      if (page.totalCount > MAX_GROUP_DEVICES) {
        throw new ArgusError(
          ErrorCode.BAD_USER_INPUT,
          `filter.groupId: group ${groupId} covers ${page.totalCount} devices, more than the ${MAX_GROUP_DEVICES} an alarm filter accepts; filter by a smaller group or by deviceId`,
          { field: 'filter.groupId' },
        );
      }
      for (const e of page.edges) ids.push(e.node.id);
      if (!page.pageInfo.hasNextPage || !page.pageInfo.endCursor) return ids;
      after = page.pageInfo.endCursor;
    }
  }

  private async ask(caller: CallerContext, variables: Record<string, unknown>): Promise<NonNullable<Answer['data']>> {
    let res: Response;
    try {
      res = await fetch(this.devicesUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_CONTEXT_HEADER]: this.signer.sign(caller) },
        body: JSON.stringify({ query: QUERY, variables }),
      });
    } catch (err) {
      throw new ArgusError(ErrorCode.UNAVAILABLE, `cannot resolve the group's devices right now (devices subgraph unreachable: ${(err as Error).message}); try again`);
    }
    if (!res.ok) throw new ArgusError(ErrorCode.UNAVAILABLE, `cannot resolve the group's devices right now (devices subgraph answered HTTP ${res.status}); try again`);
    const answer = (await res.json()) as Answer;
    const first = answer.errors?.[0];
    if (first) {
      const code = first.extensions?.code;
      if (code && code in ErrorCode && code !== ErrorCode.INTERNAL) throw new ArgusError(code as ErrorCode, first.message, { field: 'filter.groupId' });
      throw new ArgusError(ErrorCode.UNAVAILABLE, `devices subgraph could not list the group's devices: ${first.message}`);
    }
    if (!answer.data?.devices) throw new ArgusError(ErrorCode.UNAVAILABLE, 'devices subgraph gave no device list for the group');
    return answer.data;
  }
}
