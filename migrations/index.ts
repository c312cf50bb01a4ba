import { EnableExtensions1764291600000 } from './1764291600000-EnableExtensions';
import { CreateOutboxAndAudit1764291700000 } from './1764291700000-CreateOutboxAndAudit';

/** Every migration, in order. A new migration is added here as well as in its own file. */
export const MIGRATIONS: Function[] = [EnableExtensions1764291600000, CreateOutboxAndAudit1764291700000];
