import type { Request } from 'express';
import { actorLabel, type Principal } from '../auth/principal.ts';
import type { Queryable } from '../db/queryable.ts';


export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string;
  before?: unknown;
  after?: unknown;
}

export interface Actor {
  label: string;
  id?: string;
  ip?: string;
}

export function actorFrom(req: Request): Actor {
  const p: Principal = req.principal;
  return { label: actorLabel(p), id: p.kind === 'anonymous' ? undefined : p.id, ip: req.ip };
}

/** Appends one audit entry; call it inside the transaction that makes the change. */
export async function recordAudit(db: Queryable, actor: Actor, entry: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (actor, actor_id, ip, action, target_type, target_id, before, after)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      actor.label,
      actor.id ?? null,
      actor.ip ?? null,
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.before === undefined ? null : JSON.stringify(entry.before),
      entry.after === undefined ? null : JSON.stringify(entry.after),
    ],
  );
}
