import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * A production service that could get around the audit's guards says so at start: its role
 * owns `phi_access_records` (or is a superuser), so it could turn the triggers off and rewrite
 * or empty the audit. Served as a role made by `db grant`, it cannot (docs/operations.md
 * "Database roles").
 */
@Injectable()
export class AuditRoleCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Audit');

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The CLI opens its database only once a command needs it, and is run by operators.
    if (!this.config.production || !this.dataSource.isInitialized) return;
    try {
      const [row] = await this.dataSource.query<{ role: string; superuser: boolean; owner: boolean }[]>(
        `SELECT current_user AS role, r.rolsuper AS superuser, pg_has_role(current_user, c.relowner, 'USAGE') AS owner
           FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'phi_access_records'::regclass`,
      );
      if (row !== undefined && (row.owner || row.superuser)) {
        const standing = row.superuser ? 'is a superuser' : 'owns phi_access_records';
        this.logger.warn(
          `The service runs as role ${row.role}, which ${standing}: it could disable the audit's triggers and rewrite or empty it. ` +
            'Migrate as the owner and serve as a role made by `db grant ROLE`.',
        );
      }
    } catch (error) {
      this.logger.warn(`Could not check the service's role against the audit's owner: ${(error as Error).name}`);
    }
  }
}
