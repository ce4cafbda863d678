import { passwordResetSchema, userCreateSchema, userSchema, userUpdateSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import { hashPassword } from '../auth/password.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { conflict, notFound, parseOr422 } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { anotherAdminRemains, auditedUser, findUser, insertUser, listUsers, toUser } from './users.ts';

describeRoute({ method: 'get', path: '/api/v1/users', tag: 'Users', summary: 'List users', response: z.object({ data: z.array(userSchema) }) });
describeRoute({ method: 'post', path: '/api/v1/users', tag: 'Users', summary: 'Create a user (admin)', body: userCreateSchema, response: userSchema, status: 201 });
describeRoute({ method: 'get', path: '/api/v1/users/:id', tag: 'Users', summary: 'One user', response: userSchema });
describeRoute({ method: 'put', path: '/api/v1/users/:id', tag: 'Users', summary: 'Change a user\'s role or disable them (ends their sessions)', body: userUpdateSchema, response: userSchema });
describeRoute({ method: 'post', path: '/api/v1/users/:id/reset-password', tag: 'Users', summary: 'Set a new password for a user who forgot theirs (admin; ends their sessions)', body: passwordResetSchema, response: userSchema });
describeRoute({ method: 'delete', path: '/api/v1/users/:id', tag: 'Users', summary: 'Delete a user', status: 204 });

export function usersRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/users', authorize('users:manage'), async (_req, res) => {
    res.json({ data: (await listUsers(ctx.pool)).map(toUser) });
  });

  router.post('/users', authorize('users:manage'), async (req, res) => {
    const body = parseOr422(userCreateSchema, req.body);
    const user = await withTransaction(ctx.pool, async (tx) => {
      const created = toUser(await insertUser(tx, body));
      await recordAudit(tx, actorFrom(req), { action: 'user.created', targetType: 'user', targetId: created.id, after: auditedUser(created) });
      return created;
    });
    res.status(201).json(user);
  });

  router.get('/users/:id', authorize('users:manage'), async (req, res) => {
    const row = await findUser(ctx.pool, String(req.params.id));
    if (!row) throw notFound('user', String(req.params.id));
    res.json(toUser(row));
  });

  router.put('/users/:id', authorize('users:manage'), async (req, res) => {
    const body = parseOr422(userUpdateSchema, req.body);
    const id = String(req.params.id);
    const user = await withTransaction(ctx.pool, async (tx) => {
      const row = await findUser(tx, id, true);
      if (!row) throw notFound('user', id);
      const before = toUser(row);
      const role = body.role ?? row.role;
      const disabled = body.disabled ?? row.disabled;
      const losesAdmin = row.role === 'admin' && !row.disabled && (role !== 'admin' || disabled);
      if (losesAdmin && !(await anotherAdminRemains(tx, id))) {
        throw conflict('this is the last enabled admin: make someone else admin first');
      }
      const { rows } = await tx.query(`update users set role = $2, disabled = $3, updated_at = now() where id = $1 returning *`, [id, role, disabled]);
      // A disabled person is signed out everywhere at once (role changes apply on the next request anyway).
      if (disabled) await tx.query(`delete from sessions where user_id = $1`, [id]);
      const after = toUser(rows[0] as typeof row);
      await recordAudit(tx, actorFrom(req), { action: 'user.updated', targetType: 'user', targetId: id, before: auditedUser(before), after: auditedUser(after) });
      return after;
    });
    res.json(user);
  });

  router.post('/users/:id/reset-password', authorize('users:manage'), async (req, res) => {
    const { password } = parseOr422(passwordResetSchema, req.body);
    const id = String(req.params.id);
    const hash = await hashPassword(password);
    const user = await withTransaction(ctx.pool, async (tx) => {
      const row = await findUser(tx, id, true);
      if (!row) throw notFound('user', id);
      const { rows } = await tx.query(`update users set password_hash = $2, updated_at = now() where id = $1 returning *`, [id, hash]);
      // Whoever knew the old password (or holds a session made with it) is out.
      await tx.query(`delete from sessions where user_id = $1`, [id]);
      await recordAudit(tx, actorFrom(req), { action: 'user.password_reset', targetType: 'user', targetId: id, before: auditedUser(toUser(row)), after: { sessionsEnded: true } });
      return toUser(rows[0] as typeof row);
    });
    res.json(user);
  });

  router.delete('/users/:id', authorize('users:manage'), async (req, res) => {
    const id = String(req.params.id);
    await withTransaction(ctx.pool, async (tx) => {
      const row = await findUser(tx, id, true);
      if (!row) throw notFound('user', id);
      if (req.principal.kind === 'user' && req.principal.id === id) throw conflict('you cannot delete your own account; ask another admin');
      if (row.role === 'admin' && !row.disabled && !(await anotherAdminRemains(tx, id))) {
        throw conflict('this is the last enabled admin: make someone else admin first');
      }
      await tx.query(`delete from users where id = $1`, [id]);
      await recordAudit(tx, actorFrom(req), { action: 'user.deleted', targetType: 'user', targetId: id, before: auditedUser(toUser(row)) });
    });
    res.status(204).end();
  });

  return router;
}
