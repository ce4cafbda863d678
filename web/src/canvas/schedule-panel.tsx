import { cronProblem, isTimeZone, nextScheduleTimes, scheduleTimeInWords } from '@tripline/shared';
import { useQuery } from '../ui/index.ts';

/** "in 3 h", "in 2 days": how far away a due time is. */
function fromNow(at: Date, now: Date): string {
  const minutes = Math.round((at.getTime() - now.getTime()) / 60_000);
  if (minutes < 1) return 'in under a minute';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * Under a schedule trigger: the next five times it will fire, in words and in its own
 * time zone (the store's when the step sets none), so "0 9 * * 1" reads as Mondays at 9.
 */
export function SchedulePanel({ cron, timezone }: { cron: unknown; timezone: unknown }) {
  const settings = useQuery<{ data: Record<string, unknown> }>('/settings');
  const storeZone = typeof settings.data?.data.storeTimezone === 'string' ? settings.data.data.storeTimezone : 'UTC';
  const zone = typeof timezone === 'string' && timezone ? timezone : storeZone;
  if (typeof cron !== 'string' || cronProblem(cron) || !isTimeZone(zone)) return null;
  const now = new Date();
  const times = nextScheduleTimes(cron, zone, now, 5);
  return (
    <section className="form-help" aria-label="Next runs" data-testid="schedule-next">
      <strong>Next five times ({zone}{zone === storeZone && !timezone ? ', the store’s time zone' : ''}):</strong>
      <ol>
        {times.map((t) => (
          <li key={t.toISOString()}>
            {scheduleTimeInWords(t, zone)} <span className="muted">({fromNow(t, now)})</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
