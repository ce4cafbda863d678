import { describe, expect, it } from 'vitest';
import { nodeDefinitions, triggerEventType } from './index.ts';
import { cronProblem, nextScheduleTimes, scheduleTimeInWords } from './schedule.ts';

describe('schedule trigger config', () => {
  it('takes five fields and says what is wrong otherwise', () => {
    expect(cronProblem('0 9 * * 1')).toBeUndefined();
    expect(cronProblem('0 9 * *')).toContain('five fields');
    expect(cronProblem('0 0 9 * * 1')).toContain('five fields');
    expect(cronProblem('61 * * * *')).toContain('minute');
    const parsed = nodeDefinitions.schedule.configSchema.safeParse({ cron: '0 9 * * 1', timezone: 'Mars/Olympus' });
    expect(parsed.success).toBe(false);
  });

  it('lists the next times in the schedule\'s zone, across a daylight-saving change', () => {
    // 09:00 in Paris is 08:00 UTC in winter and 07:00 UTC in summer (clocks go forward on 29 March 2026).
    const times = nextScheduleTimes('0 9 * * *', 'Europe/Paris', new Date('2026-03-27T12:00:00Z'), 3).map((d) => d.toISOString());
    expect(times).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(scheduleTimeInWords(new Date('2026-03-30T07:00:00Z'), 'Europe/Paris')).toBe('Mon, 30 Mar 2026, 09:00');
  });

  it('starts runs on schedule.fired, while an event trigger starts on its own type', () => {
    expect(triggerEventType({ type: 'schedule', config: { cron: '* * * * *' } })).toBe('schedule.fired');
    expect(triggerEventType({ type: 'trigger', config: { eventType: 'order.paid' } })).toBe('order.paid');
  });
});
