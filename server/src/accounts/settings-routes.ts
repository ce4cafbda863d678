import { defaultSetting, isSettingKey, settingKeys, settingSchemas, settingUpdateSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { withTransaction } from '../db/pool.ts';
import { HttpError, invalid, parseOr422, zodDetails } from '../http/errors.ts';
import { describeRoute } from '../http/openapi.ts';
import { getSetting } from '../settings.ts';

const settingsDoc = z.object({ data: z.record(z.string(), z.unknown()), defaults: z.record(z.string(), z.unknown()) });
describeRoute({ method: 'get', path: '/api/v1/settings', tag: 'Settings', summary: `Every setting (${settingKeys.join(', ')}) with its default`, response: settingsDoc });
describeRoute({ method: 'put', path: '/api/v1/settings/:key', tag: 'Settings', summary: 'Change one setting: body {"value": …}, validated per key', body: settingUpdateSchema, response: z.object({ key: z.string(), value: z.unknown() }) });

export function settingsRouter(ctx: AppContext): Router {
  const router = Router();

  router.get('/settings', authorize('settings:read'), async (_req, res) => {
    const data: Record<string, unknown> = {};
    const defaults: Record<string, unknown> = {};
    for (const key of settingKeys) {
      data[key] = await getSetting(ctx.pool, key);
      defaults[key] = defaultSetting(key);
    }
    res.json({ data, defaults });
  });

  router.put('/settings/:key', authorize('settings:write'), async (req, res) => {
    const key = String(req.params.key);
    if (!isSettingKey(key)) throw new HttpError(404, 'not_found', `no setting "${key}"; the settings are ${settingKeys.join(', ')}`);
    const { value: raw } = parseOr422(settingUpdateSchema, req.body);
    // `undefined` would quietly become the default: a change must say what it changes to.
    if (raw === undefined) throw invalid('send {"value": …}', [{ path: 'value', message: 'required' }]);
    const parsed = settingSchemas[key].safeParse(raw);
    if (!parsed.success) {
      const details = zodDetails(parsed.error, ['value']);
      throw invalid(`${key} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, details);
    }
    const value = parsed.data;
    await withTransaction(ctx.pool, async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(hashtext($1))`, [`setting:${key}`]);
      const before = await getSetting(tx, key);
      await tx.query(
        `insert into settings (key, value, updated_at) values ($1, $2, now())
         on conflict (key) do update set value = excluded.value, updated_at = now()`,
        [key, JSON.stringify(value)],
      );
      await recordAudit(tx, actorFrom(req), { action: 'setting.updated', targetType: 'setting', targetId: key, before, after: value });
    });
    res.json({ key, value });
  });

  return router;
}
