import { Cron } from 'croner';
import { z } from 'zod';
import { defineNode, text } from './define.ts';

/** The event a schedule's runs start from (in the catalog: scheduledFor, workflowId). */
export const SCHEDULE_EVENT = 'schedule.fired';

/** Whether the runtime knows this IANA time zone ("Europe/Paris", "UTC"). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Why a cron expression is refused, or undefined: five fields (minute hour day-of-month month day-of-week). */
export function cronProblem(cron: string): string | undefined {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) return `five fields (minute hour day month weekday), e.g. "0 9 * * 1" for Mondays at 9:00; this has ${fields.length}`;
  try {
    new Cron(cron.trim(), { paused: true });
    return undefined;
  } catch (error) {
    return `not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}`;
  }
}

/** The next `count` due times after `from`, in the zone (croner handles daylight-saving changes). */
export function nextScheduleTimes(cron: string, timezone: string, from: Date, count: number): Date[] {
  if (cronProblem(cron) || !isTimeZone(timezone)) return [];
  return new Cron(cron.trim(), { timezone, paused: true }).nextRuns(count, from);
}

/** "Mon 7 Dec 2026, 09:00" in the schedule's own zone: how the inspector lists the next times. */
export function scheduleTimeInWords(at: Date, timezone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).format(at);
}

export const scheduleConfig = z.object({
  cron: z
    .string()
    .max(200)
    .superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({ title: 'Cron', description: 'minute hour day month weekday, e.g. "0 18 * * *" every day at 18:00' }),
  timezone: z
    .string()
    .max(100)
    .refine(isTimeZone, 'an IANA time zone such as "Europe/Paris" or "UTC"')
    .optional()
    .meta({ title: 'Time zone', description: "IANA name, e.g. Europe/Paris; empty: the store's time zone (Settings), else UTC" }),
});

export const scheduleNode = defineNode({
  type: 'schedule',
  displayName: 'On a schedule',
  category: 'trigger',
  description:
    'Starts the workflow at every due time of a cron schedule, once per due time however many workers run (a missed time is caught up within the catch-up window after a restart). The run\'s event is schedule.fired with scheduledFor.',
  configSchema: scheduleConfig,
  defaults: { cron: '0 9 * * 1' },
  inputs: [],
  outputs: ['out'],
  summary(config) {
    const cron = text(config.cron);
    if (!cron) return 'enter a cron schedule';
    return `${cron}${text(config.timezone) ? ` (${text(config.timezone)})` : ''}`;
  },
});
