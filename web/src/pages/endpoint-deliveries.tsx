import { deliveryStatuses, type DeliveryDetail, type DeliverySummary } from '@tripline/shared';
import { Link } from 'react-router';
import { DeliveryCard, DeliveryTable, isTestEvent } from '../console/delivery-views.tsx';
import { api } from '../api/client.ts';
import { EmptyState, LoadMore, SelectFilter, useLiveActivity, useQuery, type PagedList } from '../ui/index.ts';

export const eventLink = (d: DeliverySummary) => (isTestEvent(d) ? `${d.eventType} (test)` : <Link to={`/events/${d.eventId}`}>{d.eventType}</Link>);
const eventWithRun = (d: DeliverySummary) => (
  <>
    {eventLink(d)}
    {d.runId && (
      <div className="small">
        <Link to={`/runs/${d.runId}`}>run</Link>
      </div>
    )}
  </>
);

/** The endpoint page's deliveries: the status filter, the list, and the chosen delivery beside it. */
export function EndpointDeliveries({ list, status, onStatus, selected, onSelect, canReplay }: { list: PagedList<DeliverySummary>; status: string; onStatus: (s: string) => void; selected: string | null; onSelect: (id: string | null) => void; canReplay: boolean }) {
  return (
    <div className="stack">
      <section>
        <div className="row" style={{ justifyContent: 'space-between' }}>
          <h2 style={{ fontSize: 16 }}>Deliveries</h2>
          <span className="small">
            <SelectFilter label="Status" value={status} onChange={onStatus} values={deliveryStatuses} any="any" />
          </span>
        </div>
        <DeliveryTable
          list={list}
          selected={selected}
          onSelect={onSelect}
          eventCell={eventWithRun}
          testId="delivery-row"
          empty={
            <EmptyState title={status ? `No ${status} deliveries` : 'Nothing delivered yet'}>
              Deliveries appear when an event this endpoint subscribes to arrives, or a workflow's webhook step sends to it. Use “Send test
              event” above to try it now.
            </EmptyState>
          }
        />
        <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={() => void list.loadMore()} />
      </section>
      <section>
        {selected ? (
          <SelectedDelivery id={selected} onClose={() => onSelect(null)} canReplay={canReplay} onChanged={() => void list.refresh()} />
        ) : (
          <p className="muted">Choose a delivery to see each attempt's request and response.</p>
        )}
      </section>
    </div>
  );
}

function SelectedDelivery({ id, onClose, canReplay, onChanged }: { id: string; onClose: () => void; canReplay: boolean; onChanged: () => void }) {
  const path = `/deliveries/${encodeURIComponent(id)}`;
  const delivery = useQuery<DeliveryDetail>(path);
  useLiveActivity(['delivery'], (a) => {
    if (a === 'refetch' || a.id === id) void delivery.reload();
  });
  const replay = async () => {
    await api.post(`${path}/replay`, {});
    onChanged();
  };
  return <DeliveryCard id={id} delivery={delivery} replay={canReplay ? replay : undefined} onClose={onClose} eventCell={eventLink} testId="delivery-detail" attemptTestId="attempt" />;
}
