import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Bus, Logger } from '@argus/platform';
import { ResourcePackage } from './entities/resource-package.js';
import { PackageMode } from './enums.js';
import { announceEntitlementChange } from './announce.js';
import type { Clock } from './accounts.js';
import type { Metering } from './metering.js';

/**
 * Marks packages whose term is over EXPIRED and tells the checkers. Checkers already refuse at
 * the end of the term without it (the cached coverage carries its end); this keeps stored state,
 * lists and filters right and wakes caches that were told nothing.
 */
export class ExpirySweeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly orm: MikroORM,
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metering?: Metering,
  ) {}

  start(everySeconds: number): void {
    const run = () => void this.sweep().catch((err) => this.logger.warn({ err }, 'billing sweep failed'));
    run();
    this.timer = setInterval(run, everySeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Returns the packages it marked. */
  async sweep(): Promise<number> {
    const now = this.clock();
    const em = this.orm.em.fork() as SqlEntityManager;
    const due = await em.find(ResourcePackage, { mode: PackageMode.PACKAGE, storedState: 'NORMAL', expiresAt: { $lte: now } }, { limit: 1000 });
    const tenants = new Set<string>();
    for (const pkg of due) {
      const marked = await em.nativeUpdate(ResourcePackage, { id: pkg.id, storedState: 'NORMAL', expiresAt: { $lte: now } }, { storedState: 'EXPIRED', updatedAt: now });
      if (marked) tenants.add(pkg.tenantId);
    }
    for (const tenantId of tenants) await announceEntitlementChange(this.bus, this.logger, tenantId, 'package expired');
    if (due.length) this.logger.info({ packages: due.length, tenants: tenants.size }, 'packages expired');
    await this.metering?.prune();
    return due.length;
  }
}
