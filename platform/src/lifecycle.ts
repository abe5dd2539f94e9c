import type { Logger } from './logger.js';

type Closer = { name: string; close: () => Promise<void> | void };

/**
 * Clean shutdown: on SIGTERM/SIGINT the registered closers run in reverse order of
 * registration (servers stop accepting before the bus and the database close).
 */
export class Lifecycle {
  private closers: Closer[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly logger: Logger) {}

  onStop(name: string, close: Closer['close']): void {
    this.closers.push({ name, close });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const c of [...this.closers].reverse()) {
        try {
          await c.close();
        } catch (err) {
          this.logger.error({ err, component: c.name }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }

  /** Installs signal handlers that stop everything and exit the process. */
  handleSignals(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      this.logger.info({ signal }, 'shutting down');
      const force = setTimeout(() => process.exit(1), 10_000);
      force.unref();
      this.stop().then(() => process.exit(0));
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
