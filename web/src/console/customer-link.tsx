import { Link } from 'react-router';

/** The customer id a record is about, when it names one (event data, a run's trigger event). */
export function customerIdOf(data: unknown): string | undefined {
  const id = data && typeof data === 'object' ? (data as { customerId?: unknown }).customerId : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** A customer id that opens the customer page (what a support agent needs on the phone). */
export function CustomerLink({ customerId }: { customerId: string }) {
  return (
    <Link to={`/customers/${encodeURIComponent(customerId)}`} className="mono" data-testid="customer-link">
      {customerId}
    </Link>
  );
}
