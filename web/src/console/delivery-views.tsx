import type { DeliveryDetail, DeliverySummary } from '@tripline/shared';
import { useEffect, useRef, type ReactNode } from 'react';
import { ActionFeedback, DataTable, DeliveryStatus, KeyValues, QueryView, Time, useAction, type Column, type PagedList, type Query } from '../ui/index.ts';
import { AttemptList } from './attempt-list.tsx';

/** How an event is shown in a delivery's row and detail: the console links it, the portal names it. */
export type EventCell = (d: DeliverySummary) => ReactNode;
export const isTestEvent = (d: { eventId: string }) => d.eventId.startsWith('evt_test_');

/** The deliveries of one endpoint, in the console and in the partner portal alike. */
export function DeliveryTable({ list, selected, onSelect, eventCell, testId, idHeader = 'Delivery', empty }: { list: PagedList<DeliverySummary>; selected: string | null | undefined; onSelect: (id: string) => void; eventCell: EventCell; testId: string; idHeader?: string; empty: ReactNode }) {
  const columns: Column<DeliverySummary>[] = [
    {
      header: idHeader,
      cell: (d) => (
        <button type="button" className="mono" onClick={() => onSelect(d.id)} aria-label={`Open delivery ${d.id}`}>
          {d.id.slice(0, 16)}…
        </button>
      ),
    },
    { header: 'Event', cell: eventCell },
    {
      header: 'Status',
      cell: (d) => (
        <>
          <DeliveryStatus d={d} />
          {d.lastStatusCode !== null && <span className="small muted"> HTTP {d.lastStatusCode}</span>}
          <WaitingFor d={d} />
        </>
      ),
    },
    { header: 'Attempts', cell: (d) => d.attemptCount },
    { header: 'Created', cell: (d) => <Time at={d.createdAt} /> },
  ];
  return (
    <DataTable
      label="Deliveries"
      rows={list.loading ? undefined : list.items}
      columns={columns}
      rowKey={(d) => d.id}
      rowProps={(d) => ({ 'data-testid': testId, 'data-status': d.status, 'data-event-type': d.eventType, className: d.id === selected ? 'fresh' : undefined })}
      loading={list.loading}
      error={{ error: list.error, action: 'Loading deliveries' }}
      empty={empty}
    />
  );
}

/** An ordered endpoint's delivery held by an earlier one of its subject (issue 25): which one. */
function WaitingFor({ d }: { d: DeliverySummary }) {
  if (!d.waitingFor) return null;
  return (
    <span className="small muted" data-testid="delivery-waiting-for" title="This endpoint delivers one subject at a time, in event order">
      {' '}waiting for <span className="mono">{d.waitingFor}</span>
    </span>
  );
}

/** One delivery: its state, each attempt's request and response, and Replay for whoever may. */
export function DeliveryCard({ id, delivery, replay, onClose, eventCell, testId, attemptTestId, className = 'card' }: { id: string; delivery: Query<DeliveryDetail>; replay?: () => Promise<unknown>; onClose: () => void; eventCell: EventCell; testId: string; attemptTestId: string; className?: string }) {
  const panel = useRef<HTMLDivElement>(null);
  // braces: Chromium's scrollIntoView now returns a promise, which React would take for a cleanup
  useEffect(() => {
    void panel.current?.scrollIntoView?.({ block: 'nearest' });
  }, [id]);
  const action = useAction();
  const onReplay = () =>
    action.run('Replay', async () => {
      await replay!();
      await delivery.reload();
      return 'Replay queued: a new attempt with the same webhook-id is on its way.';
    });
  return (
    <div className={className} aria-label="Delivery detail" data-testid={testId} ref={panel}>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h2 className="mono">{id}</h2>
        <div className="row">
          {replay && (
            <button type="button" className="primary" onClick={() => void onReplay()} disabled={!delivery.data || action.busy}>
              Replay
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
      <ActionFeedback state={action} />
      <QueryView query={delivery} action="Loading the delivery">
        {(d) => (
          <>
            <KeyValues
              rows={[
                ['Status', <><DeliveryStatus d={d} /> <WaitingFor d={d} /></>],
                ['Event', eventCell(d)],
                ['Attempts', d.attemptCount],
                ['Next attempt', <Time at={d.nextAttemptAt} />],
                ['Delivered', <Time at={d.deliveredAt} />],
                ['Last error', d.lastError ?? '—'],
              ]}
            />
            <AttemptList attempts={d.attempts} testId={attemptTestId} />
          </>
        )}
      </QueryView>
    </div>
  );
}
