import { ActorType } from './audit-chain';

/** Who made a change, as the audit log records it: a user, staff member, or system job (id = its name). */
export interface Actor {
  type: ActorType;
  id: string | null;
}
