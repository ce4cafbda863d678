import type { Request } from 'express';
import { actorLabel, type Principal } from '../auth/principal.ts';
import { insertAuditEntry } from '../db/audit.ts';
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
  await insertAuditEntry(db, {
    actor: actor.label,
    actorId: actor.id ?? null,
    ip: actor.ip ?? null,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: entry.before === undefined ? null : JSON.stringify(entry.before),
    after: entry.after === undefined ? null : JSON.stringify(entry.after),
  });
}
