import { Link, useLocation } from 'react-router';

/** Any path the console has no page for: say so, and offer the way back (never a blank page). */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <div className="page">
      <h1>Page not found</h1>
      <p role="alert">
        There is no page at <code>{pathname}</code>. It may have moved, or the link was mistyped.
      </p>
      <p>
        <Link to="/workflows">Go to Workflows</Link> · <Link to="/dashboard">Dashboard</Link>
      </p>
    </div>
  );
}
