import { deliveryStatuses, type DeliveryDetail, type DeliverySummary } from '@tripline/shared';
import { useEffect, useState } from 'react';
import { query } from '../api/client.ts';
import { DeliveryCard, DeliveryTable, isTestEvent } from '../console/delivery-views.tsx';
import { DateFilter, EmptyState, FilterBar, LoadMore, SelectFilter, localToIso, usePagedList, useQuery } from '../ui/index.ts';
import type { PortalClient } from './portal-api.ts';

/** Deliveries settle in the background and the portal has no live stream: it looks again this often. */
const POLL_MS = 3000;
const noFilters = { status: '', eventType: '', since: '', until: '' };
const eventName = (d: DeliverySummary) => `${d.eventType}${isTestEvent(d) ? ' (test)' : ''}`;

/** The delivery log of one endpoint: filters, the list, and the chosen delivery's attempts. */
export function DeliveryLog({ client, endpointId, eventTypes, refreshKey, onChanged }: { client: PortalClient; endpointId: string; eventTypes: string[]; refreshKey: number; onChanged: () => void }) {
  const [filters, setFilters] = useState(noFilters);
  const [selected, setSelected] = useState<string>();
  const path = `/endpoints/${encodeURIComponent(endpointId)}/deliveries${query({ ...filters, since: localToIso(filters.since), until: localToIso(filters.until) })}`;
  const list = usePagedList<DeliverySummary>(path, (d) => d.id, { get: client.get, pollMs: POLL_MS });
  useEffect(() => void list.refresh(), [refreshKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const set = (k: keyof typeof noFilters) => (value: string) => setFilters((f) => ({ ...f, [k]: value }));

  return (
    <section className="card" aria-label="Delivery log">
      <h2>Delivery log</h2>
      <FilterBar label="Filter deliveries" className="portal-filters" anyFilter={Object.values(filters).some(Boolean)} onClear={() => setFilters(noFilters)}>
        <SelectFilter label="Status" ariaLabel="Status filter" value={filters.status} onChange={set('status')} values={deliveryStatuses} any="any" />
        <SelectFilter label="Event type" ariaLabel="Event type filter" value={filters.eventType} onChange={set('eventType')} values={eventTypes} any="any" />
        <DateFilter label="From" value={filters.since} onChange={set('since')} />
        <DateFilter label="Until" value={filters.until} onChange={set('until')} />
      </FilterBar>
      <DeliveryTable
        list={list}
        selected={selected}
        onSelect={setSelected}
        eventCell={eventName}
        testId="portal-delivery-row"
        idHeader="Delivery (webhook-id)"
        empty={<EmptyState title="No deliveries match">Deliveries appear when an event you subscribe to happens; “Send a test event” sends one now.</EmptyState>}
      />
      <LoadMore hasMore={list.hasMore} loading={list.loadingMore} onClick={() => void list.loadMore()} />
      {selected && (
        <SelectedDelivery
          client={client}
          id={selected}
          onClose={() => setSelected(undefined)}
          onReplayed={() => {
            void list.refresh();
            onChanged();
          }}
        />
      )}
    </section>
  );
}

function SelectedDelivery({ client, id, onClose, onReplayed }: { client: PortalClient; id: string; onClose: () => void; onReplayed: () => void }) {
  const path = `/deliveries/${encodeURIComponent(id)}`;
  const delivery = useQuery<DeliveryDetail>(path, { get: client.get, pollMs: POLL_MS });
  const replay = async () => {
    await client.post(`${path}/replay`);
    onReplayed();
  };
  return <DeliveryCard id={id} delivery={delivery} replay={replay} onClose={onClose} eventCell={(d) => `${d.eventType} (${d.eventId})`} testId="portal-delivery-detail" attemptTestId="portal-attempt" className="card portal-delivery" />;
}
