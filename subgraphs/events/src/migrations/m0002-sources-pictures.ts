import { ArgusMigration } from '@argus/platform';

/** Alarm source family (HTTP_PUSH, CMIOT, …) and stored picture references. */
export class M0002SourcesPictures extends ArgusMigration {
  override async up(): Promise<void> {
    this.ddl((s) =>
      s.alterTable('alarms', (t) => {
        t.string('source', 16).nullable();
        t.text('pictures').nullable();
      }),
    );
  }
}
