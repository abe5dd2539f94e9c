import type { ArgusConfig } from './config.js';
import type { Logger } from './logger.js';
import type { Bus } from './bus/types.js';
import { InternalContextSigner } from './auth/internal-context.js';
import { SecretBox } from './auth/secret-box.js';
import { Lifecycle } from './lifecycle.js';

/**
 * What a service is started with. In the embedded default all services of the process
 * share one runtime (one in-process bus); in scale mode each process builds its own.
 */
export interface ServiceRuntime {
  config: ArgusConfig;
  logger: Logger;
  bus: Bus;
  /** Signs/verifies the gateway → subgraph context header. */
  signer: InternalContextSigner;
  /** Encrypts secrets at rest (app secret keys, device credentials). */
  secrets: SecretBox;
  lifecycle: Lifecycle;
}

export function createRuntime(config: ArgusConfig, logger: Logger, bus: Bus): ServiceRuntime {
  return {
    config,
    logger,
    bus,
    signer: new InternalContextSigner(config.deriveKey('internal-context')),
    secrets: new SecretBox(config.deriveKey('secrets-at-rest')),
    lifecycle: new Lifecycle(logger),
  };
}
