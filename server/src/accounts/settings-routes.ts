import { defaultSetting, isSettingKey, settingKeys, settingSchemas, settingUpdateSchema } from '@tripline/shared';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom, recordAudit } from '../audit/record.ts';
import type { AppContext } from '../context.ts';
import { lockUntilCommit, withTransaction } from '../db/pool.ts';
import { saveSetting } from '../db/settings.ts';
import { HttpError, invalid, zodDetails } from '../http/errors.ts';
import { declareRoutes } from '../http/route.ts';
import { getSetting } from '../settings.ts';
import { settingForAudit } from './settings-audit.ts';

const tag = 'Settings';
const settingsDoc = z.object({ data: z.record(z.string(), z.unknown()), defaults: z.record(z.string(), z.unknown()) });

export function settingsRouter(ctx: AppContext): Router {
  const router = Router();
  const route = declareRoutes(router);

  route(
    { method: 'get', path: '/settings', access: 'settings:read', tag, summary: `Every setting (${settingKeys.join(', ')}) with its default`, response: settingsDoc },
    async () => {
      const data: Record<string, unknown> = {};
      const defaults: Record<string, unknown> = {};
      for (const key of settingKeys) {
        data[key] = await getSetting(ctx.pool, key);
        defaults[key] = defaultSetting(key);
      }
      return { data, defaults };
    },
  );

  route(
    {
      method: 'put',
      path: '/settings/:key',
      access: 'settings:write',
      tag,
      summary: 'Change one setting: body {"value": …}, validated per key',
      body: settingUpdateSchema,
      response: z.object({ key: z.string(), value: z.unknown() }),
    },
    async ({ req, params, body: { value: raw } }) => {
      const key = params.key!;
      if (!isSettingKey(key)) throw new HttpError(404, 'not_found', `no setting "${key}"; the settings are ${settingKeys.join(', ')}`);
      // `undefined` would quietly become the default: a change must say what it changes to.
      if (raw === undefined) throw invalid('send {"value": …}', [{ path: 'value', message: 'required' }]);
      const parsed = settingSchemas[key].safeParse(raw);
      if (!parsed.success) {
        const details = zodDetails(parsed.error, ['value']);
        throw invalid(`${key} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}`, details);
      }
      const value = parsed.data;
      await withTransaction(ctx.pool, async (tx) => {
        await lockUntilCommit(tx, `setting:${key}`);
        const before = await getSetting(tx, key);
        await saveSetting(tx, key, value);
        await recordAudit(tx, actorFrom(req), { action: 'setting.updated', targetType: 'setting', targetId: key, before: settingForAudit(key, before), after: settingForAudit(key, value) });
      });
      return { key, value };
    },
  );

  return router;
}
