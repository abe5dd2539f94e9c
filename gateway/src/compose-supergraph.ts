import { parse } from 'graphql';
import { composeServices } from '@theguild/federation-composition';
import { INTERNAL_CONTEXT_HEADER, type InternalContextSigner, type Logger } from '@argus/platform';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** Composes SDLs into a supergraph; throws with every composition error listed. */
export function composeSupergraph(services: Array<SubgraphEndpoint & { sdl: string }>): { supergraphSdl: string; publicSdl: string } {
  const result = composeServices(services.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    throw new Error(`supergraph composition failed:\n  ${result.errors.map((e) => e.message).join('\n  ')}`);
  }
  return { supergraphSdl: result.supergraphSdl, publicSdl: result.publicSdl };
}

/**
 * Reads each running subgraph's SDL (`_service { sdl }`) and composes the supergraph.
 * Subgraphs may start after the gateway in scale mode, so unreachable ones are retried
 * until `timeoutMs` has passed.
 */
export async function fetchAndCompose(
  endpoints: SubgraphEndpoint[],
  signer: InternalContextSigner,
  logger: Logger,
  timeoutMs = 60_000,
): Promise<{ supergraphSdl: string; publicSdl: string }> {
  const deadline = Date.now() + timeoutMs;
  const services: Array<SubgraphEndpoint & { sdl: string }> = [];
  for (const ep of endpoints) {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(ep.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [INTERNAL_CONTEXT_HEADER]: signer.sign({ tenantId: null, appId: null, role: 'SERVICE' }),
          },
          body: JSON.stringify({ query: '{ _service { sdl } }' }),
        });
        const body = (await res.json()) as { data?: { _service?: { sdl?: string } } };
        const sdl = body.data?._service?.sdl;
        if (!sdl) throw new Error(`no SDL in answer (HTTP ${res.status})`);
        services.push({ ...ep, sdl });
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`subgraph ${ep.name} at ${ep.url} did not answer: ${(err as Error).message}`);
        if (attempt === 1 || attempt % 10 === 0) logger.info({ subgraph: ep.name, url: ep.url }, 'waiting for subgraph');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
  return composeSupergraph(services);
}
