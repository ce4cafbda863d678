import { NavLink } from 'react-router';
import { useSession } from '../auth/session.tsx';

/** Sidebar links of the operations console, each shown only to roles that may read it. */
export function ConsoleNav() {
  const { can } = useSession();
  return (
    <>
      {can('runs:read') && <NavLink to="/dashboard">Dashboard</NavLink>}
      {can('runs:read') && <NavLink to="/runs">Runs</NavLink>}
      {can('events:read') && <NavLink to="/events">Event log</NavLink>}
      {can('events:read') && <NavLink to="/catalog">Event catalog</NavLink>}
      {can('endpoints:read') && <NavLink to="/endpoints">Endpoints</NavLink>}
      {can('endpoints:read') && <NavLink to="/inbox">Test inbox</NavLink>}
      {can('campaigns:read') && <NavLink to="/campaigns">Campaigns</NavLink>}
      {can('settings:read') && <NavLink to="/settings">Settings</NavLink>}
    </>
  );
}
