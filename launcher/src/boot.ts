import { loadConfig, createLogger, createRuntime, createBus, ConfigError, type ServiceRuntime } from '@argus/platform';

/** Reads configuration, opens the bus and builds the runtime; exits with a clear message on bad configuration. */
export async function boot(name: string): Promise<ServiceRuntime> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`argus ${name}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(name, config.LOG_LEVEL);
  const bus = await createBus(config.BUS_URL, logger, { streamName: config.ARGUS_NATS_STREAM, subjectPrefix: config.ARGUS_NATS_PREFIX });
  const runtime = createRuntime(config, logger, bus);
  runtime.lifecycle.onStop('bus', () => bus.close());
  runtime.lifecycle.handleSignals();
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  return runtime;
}
