import { passwordResetSchema, userCreateSchema, userSchema, userUpdateSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { forgetApiKeys } from '../auth/api-keys.ts';
import { hashPassword } from '../auth/password.ts';
import type { AppContext } from '../context.ts';
import { anotherAdminRemains, deleteSessionsOf, deleteUser, findUser, revokeApiKeysOf, listUsers, setPasswordHash, toUser, updateUserAccess } from '../db/accounts.ts';
import { withTransaction } from '../db/pool.ts';
import { conflict, notFound } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { auditedUser, createUser } from './users.ts';

const tag = 'Users';
const access = 'users:manage';
const lastAdmin = () => conflict('this is the last enabled admin: make someone else admin first');

export function usersRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route({ method: 'get', path: '/users', access, tag, summary: 'List users', response: z.object({ data: z.array(userSchema) }) }, async () => ({
    data: (await listUsers(ctx.pool)).map(toUser),
  }));

  route(
    { method: 'post', path: '/users', access, tag, summary: 'Create a user (admin)', body: userCreateSchema, response: userSchema, status: 201 },
    ({ req, body }) =>
      withTransaction(ctx.pool, async (tx) => {
        const created = toUser(await createUser(tx, body));
        await recordAudit(tx, actorFrom(req), { action: 'user.created', targetType: 'user', targetId: created.id, after: auditedUser(created) });
        return created;
      }),
  );

  route({ method: 'get', path: '/users/:id', access, tag, summary: 'One user', response: userSchema }, async ({ params }) => {
    const row = await findUser(ctx.pool, params.id!);
    if (!row) throw notFound('user', params.id!);
    return toUser(row);
  });

  route(
    { method: 'put', path: '/users/:id', access, tag, summary: "Change a user's role or disable them (ends their sessions)", body: userUpdateSchema, response: userSchema },
    ({ req, params, body }) =>
      withTransaction(ctx.pool, async (tx) => {
        const id = params.id!;
        const row = await findUser(tx, id, true);
        if (!row) throw notFound('user', id);
        const before = toUser(row);
        const role = body.role ?? row.role;
        const disabled = body.disabled ?? row.disabled;
        const losesAdmin = row.role === 'admin' && !row.disabled && (role !== 'admin' || disabled);
        if (losesAdmin && !(await anotherAdminRemains(tx, id))) throw lastAdmin();
        const after = toUser(await updateUserAccess(tx, id, role, disabled));
        // A disabled person is signed out everywhere at once (role changes apply on the next request anyway).
        if (disabled) await deleteSessionsOf(tx, id);
        await recordAudit(tx, actorFrom(req), { action: 'user.updated', targetType: 'user', targetId: id, before: auditedUser(before), after: auditedUser(after) });
        return after;
      }).finally(forgetApiKeys), // a disabled owner's keys stop at once (api-keys.ts caches live keys)
  );

  route(
    {
      method: 'post',
      path: '/users/:id/reset-password',
      access,
      tag,
      summary: 'Set a new password for a user who forgot theirs (admin; ends their sessions and revokes their API keys)',
      body: passwordResetSchema,
      response: userSchema,
    },
    async ({ req, params, body: { password } }) => {
      const id = params.id!;
      const hash = await hashPassword(password);
      return withTransaction(ctx.pool, async (tx) => {
        const row = await findUser(tx, id, true);
        if (!row) throw notFound('user', id);
        const updated = await setPasswordHash(tx, id, hash, false);
        // Whoever knew the old password (or holds a session made with it) is out, and so are
        // the keys made with it: a reset is how an account is taken back after a compromise.
        await deleteSessionsOf(tx, id);
        const apiKeysRevoked = await revokeApiKeysOf(tx, id);
        await recordAudit(tx, actorFrom(req), {
          action: 'user.password_reset',
          targetType: 'user',
          targetId: id,
          before: auditedUser(toUser(row)),
          after: { sessionsEnded: true, apiKeysRevoked },
        });
        return toUser(updated);
      }).finally(forgetApiKeys);
    },
  );

  route({ method: 'delete', path: '/users/:id', access, tag, summary: 'Delete a user', status: 204 }, async ({ req, params }) => {
    const id = params.id!;
    await withTransaction(ctx.pool, async (tx) => {
      const row = await findUser(tx, id, true);
      if (!row) throw notFound('user', id);
      if (req.principal.kind === 'user' && req.principal.id === id) throw conflict('you cannot delete your own account; ask another admin');
      if (row.role === 'admin' && !row.disabled && !(await anotherAdminRemains(tx, id))) throw lastAdmin();
      await deleteUser(tx, id);
      await recordAudit(tx, actorFrom(req), { action: 'user.deleted', targetType: 'user', targetId: id, before: auditedUser(toUser(row)) });
    });
    forgetApiKeys(); // committed: the deleted owner's keys stop at once
  });

  return router;
}
