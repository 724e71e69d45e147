import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadAppConfig } from './src/config/load-app-config';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource the TypeORM CLI uses (`npm run typeorm -- migration:generate …`), with the
 * same configuration as the server: `DATABASE_URL`, else PGlite in `PGLITE_DATA_DIR`.
 */
export default new DataSource(dataSourceOptions(loadAppConfig(process.env).database));
