import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSubgraphSchema } from '@apollo/subgraph';
import { generate } from '@graphql-codegen/cli';
import { SUBGRAPH_NAMES } from '@argus/platform';
import { composeSupergraph } from '@argus/gateway';
import { SUBGRAPHS } from '@argus/launcher/services';

/**
 * Composes the supergraph from the subgraphs' schemas (no servers, no database), writes
 * codegen/supergraph.graphql (what the gateway serves) and codegen/schema.graphql (the
 * public API), then generates the typed operations of @argus/client from
 * codegen/operations/*.graphql. A schema change that breaks an operation fails here.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const services = [];
for (const name of SUBGRAPH_NAMES) {
  const schema = await SUBGRAPHS[name].build();
  services.push({ name, url: `http://${name}.invalid/graphql`, sdl: printSubgraphSchema(schema) });
}
const { supergraphSdl, publicSdl } = composeSupergraph(services);
writeFileSync(join(root, 'supergraph.graphql'), supergraphSdl);
writeFileSync(join(root, 'schema.graphql'), publicSdl);

const out = join(root, 'client/src/generated/graphql.ts');
mkdirSync(dirname(out), { recursive: true });
await generate(
  {
    schema: join(root, 'schema.graphql'),
    documents: join(root, 'operations/**/*.graphql'),
    silent: true,
    errorsOnly: true,
    generates: {
      [out]: {
        plugins: ['typescript', 'typescript-operations', 'typed-document-node'],
        config: {
          useTypeImports: true,
          enumsAsTypes: true,
          scalars: {
            DateTimeISO: 'string', DateTime: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>',
            Money: { input: 'string | number', output: 'string' },
          },
          avoidOptionals: false,
          strictScalars: false,
          defaultScalarType: 'unknown',
        },
      },
    },
  },
  true,
);
process.stdout.write(`codegen: supergraph of ${services.length} subgraphs → codegen/supergraph.graphql, client → ${out}\n`);
