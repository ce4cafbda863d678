import type { DeliverySummary, rotateSecretResultSchema } from '@tripline/shared';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import { ActionFeedback, ConfirmButton, Options, SecretOnce, localNow, useAction } from '../ui/index.ts';

type Post = <T>(path: string, body?: unknown) => Promise<T>;
type Rotated = z.infer<typeof rotateSecretResultSchema>;

/**
 * Send a test event, recover failed deliveries, rotate the signing secret: the same tools on
 * the console's endpoint page and on the partner portal, each shown to whoever may use it.
 */
export function EndpointActions({ endpointId, post, types, typeLabel, allow, onChanged, onTestSent }: {
  endpointId: string;
  post: Post;
  types: string[];
  typeLabel?: (type: string) => string;
  allow: { test: boolean; recover: boolean; rotate: boolean };
  onChanged: () => void;
  onTestSent?: (delivery: DeliverySummary) => void;
}) {
  const enc = encodeURIComponent(endpointId);
  const [testType, setTestType] = useState(types[0] ?? 'order.created');
  const [since, setSince] = useState(localNow(3_600_000));
  const [rotated, setRotated] = useState<Rotated>();
  const action = useAction();
  useEffect(() => {
    if (!types.includes(testType) && types[0]) setTestType(types[0]);
  }, [types.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps

  const act = (name: string, fn: () => Promise<string | void>) =>
    void action.run(name, async () => {
      const said = await fn();
      onChanged();
      return said;
    });
  const sendTest = () =>
    act('Sending a test event', async () => {
      const d = await post<DeliverySummary>(`/endpoints/${enc}/test`, { eventType: testType });
      onTestSent?.(d);
      return `Test ${testType} sent as delivery ${d.id}: it appears in the deliveries below.`;
    });
  const recover = () =>
    act('Recovering', async () => {
      const r = await post<{ requeued: number; missed?: number; more?: boolean }>(`/endpoints/${enc}/recover`, { since: new Date(since).toISOString() });
      // `more`: the portal queues a bounded number a call (behind live traffic); the rest needs another call.
      return `${r.requeued} failed deliver${r.requeued === 1 ? 'y' : 'ies'} sent again${r.missed ? `, ${r.missed} missed event(s) sent` : ''}.${r.more ? ' More remain: recover again for the rest.' : ''}`;
    });
  const rotate = () => act('Rotating the secret', async () => setRotated(await post<Rotated>(`/endpoints/${enc}/rotate-secret`, {})));

  return (
    <>
      <ActionFeedback state={action} />
      {rotated && (
        <SecretOnce title="New signing secret" value={rotated.secret} testId="rotated-secret" copyLabel="Copy secret" onDone={() => setRotated(undefined)}>
          The previous secret keeps verifying until {rotated.previousSecretExpiresAt ? new Date(rotated.previousSecretExpiresAt).toLocaleString() : 'the grace period ends'}.
        </SecretOnce>
      )}
      <div className="row">
        {allow.test && (
          <form className="row" onSubmit={(e) => (e.preventDefault(), sendTest())}>
            <label>
              Send a test event{' '}
              <select aria-label="Test event type" value={testType} onChange={(e) => setTestType(e.target.value)}>
                <Options values={types} label={typeLabel} />
              </select>
            </label>
            <button type="submit">Send test event</button>
          </form>
        )}
        {allow.recover && (
          <form className="row" onSubmit={(e) => (e.preventDefault(), recover())}>
            <label>
              Recover everything failed since <input type="datetime-local" aria-label="Recover since" value={since} onChange={(e) => setSince(e.target.value)} />
            </label>
            <button type="submit">Recover</button>
          </form>
        )}
        {allow.rotate && (
          <span className="row">
            <ConfirmButton label="Rotate secret" question="Rotate the signing secret? The old one keeps verifying for 24 hours, so the receiver can deploy the new one." onConfirm={rotate} />
          </span>
        )}
      </div>
    </>
  );
}
