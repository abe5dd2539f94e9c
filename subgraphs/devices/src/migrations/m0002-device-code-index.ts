import { ArgusMigration } from '@argus/platform';

/** Drivers find a device by its code across tenants (HTTP push User-Identify): index it on its own. */
export class M0002DeviceCodeIndex extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) => s.alterTable('devices', (t) => t.index(['device_code'], 'devices_device_code_lookup_index')));
  }
}
