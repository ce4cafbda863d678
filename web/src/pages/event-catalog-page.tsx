import type { PortalEventType } from '@tripline/shared';
import { Link } from 'react-router';
import { ErrorBanner, Loading, PageHeader, useQuery } from '../ui/index.ts';

/** A catalog entry as GET /event-types answers it: the portal's entry without its `subscribed` flag. */
export type EventTypeDoc = Omit<PortalEventType, 'subscribed'>;

const ORIGINS: { origin: EventTypeDoc['origin']; title: string; hint: string }[] = [
  { origin: 'raw', title: 'Sent in by your store and tools', hint: 'POST them to /api/v1/events, or connect WooCommerce.' },
  { origin: 'derived', title: 'Computed by Tripline', hint: 'From the state Tripline keeps per product and customer.' },
  { origin: 'system', title: 'About Tripline itself', hint: 'Campaign changes, disabled endpoints, failed runs.' },
];

export function EventCatalogPage() {
  const catalog = useQuery<{ data: EventTypeDoc[] }>('/event-types');
  return (
    <div className="page">
      <PageHeader
        title="Event catalog"
        subtitle="Every event Tripline knows, with its JSON Schema, an example, and how a receiver verifies the signature."
      />
      <ErrorBanner error={catalog.error} action="Loading the catalog" />
      {catalog.loading && <Loading what="Loading the catalog" />}
      {ORIGINS.map(({ origin, title, hint }) => {
        const types = (catalog.data?.data ?? []).filter((t) => t.origin === origin);
        if (types.length === 0) return null;
        return (
          <section key={origin} className="card">
            <h2>{title}</h2>
            <p className="muted small">{hint}</p>
            <table className="data" aria-label={title}>
              <tbody>
                {types.map((t) => (
                  <tr key={t.type}>
                    <td style={{ width: 280 }}>
                      <Link to={`/catalog/${t.type}`} className="mono">
                        {t.type}
                      </Link>
                    </td>
                    <td>{t.description}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        );
      })}
    </div>
  );
}
