import { NavLink } from 'react-router';
import { useSession } from './session.tsx';

/** Sidebar links of the accounts area, each shown only to roles that may use it. */
export function AccountsNav() {
  const { can } = useSession();
  return (
    <>
      {can('audit:read') && <NavLink to="/audit">Audit log</NavLink>}
      {can('users:manage') && <NavLink to="/users">Users</NavLink>}
      {can('apikeys:manage') && <NavLink to="/api-keys">API keys</NavLink>}
      {can('credentials:read') && <NavLink to="/credentials">Credentials</NavLink>}
    </>
  );
}
