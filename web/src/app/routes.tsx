import type { Permission } from '@tripline/shared';
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

/**
 * Every page of the console, once: the router and the sidebar both read this table, so a
 * path is written in one place. Pages load on demand (one chunk each), so the sign-in page
 * and the dashboard do not carry the canvas or the charts.
 */
export interface PageRoute {
  path: string;
  page: LazyExoticComponent<ComponentType>;
  /** Shown in the sidebar, to people holding `permission`. */
  nav?: { label: string; permission: Permission; group: 'build' | 'console' | 'accounts' };
}

const page = <K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) => lazy(() => load().then((m) => ({ default: m[name] })));

const Workflows = page(() => import('../pages/workflows-page.tsx'), 'WorkflowsPage');

export const pageRoutes: PageRoute[] = [
  { path: '/', page: Workflows },
  { path: '/workflows', page: Workflows, nav: { label: 'Workflows', permission: 'workflows:read', group: 'build' } },
  { path: '/workflows/:id', page: page(() => import('../pages/workflow-editor-page.tsx'), 'WorkflowEditorPage') },
  { path: '/dashboard', page: page(() => import('../pages/dashboard-page.tsx'), 'DashboardPage'), nav: { label: 'Dashboard', permission: 'runs:read', group: 'console' } },
  { path: '/runs', page: page(() => import('../pages/runs-page.tsx'), 'RunsPage'), nav: { label: 'Runs', permission: 'runs:read', group: 'console' } },
  { path: '/runs/:id', page: page(() => import('../pages/run-detail-page.tsx'), 'RunDetailPage') },
  { path: '/events', page: page(() => import('../pages/events-page.tsx'), 'EventsPage'), nav: { label: 'Event log', permission: 'events:read', group: 'console' } },
  { path: '/events/:id', page: page(() => import('../pages/event-detail-page.tsx'), 'EventDetailPage') },
  { path: '/customers/:id', page: page(() => import('../pages/customer-page.tsx'), 'CustomerPage') },
  { path: '/catalog', page: page(() => import('../pages/event-catalog-page.tsx'), 'EventCatalogPage'), nav: { label: 'Event catalog', permission: 'events:read', group: 'console' } },
  { path: '/catalog/:type', page: page(() => import('../pages/event-type-page.tsx'), 'EventTypePage') },
  { path: '/endpoints', page: page(() => import('../pages/endpoints-page.tsx'), 'EndpointsPage'), nav: { label: 'Endpoints', permission: 'endpoints:read', group: 'console' } },
  { path: '/endpoints/:id', page: page(() => import('../pages/endpoint-detail-page.tsx'), 'EndpointDetailPage') },
  { path: '/deliveries', page: page(() => import('../pages/deliveries-page.tsx'), 'DeliveriesPage'), nav: { label: 'Deliveries', permission: 'endpoints:read', group: 'console' } },
  { path: '/inbox', page: page(() => import('../pages/inbox-page.tsx'), 'InboxPage'), nav: { label: 'Test inbox', permission: 'endpoints:read', group: 'console' } },
  { path: '/sources', page: page(() => import('../pages/sources-page.tsx'), 'SourcesPage'), nav: { label: 'Stores', permission: 'sources:manage', group: 'console' } },
  { path: '/sources/:id', page: page(() => import('../pages/source-detail-page.tsx'), 'SourceDetailPage') },
  { path: '/campaigns', page: page(() => import('../pages/campaigns-page.tsx'), 'CampaignsPage'), nav: { label: 'Campaigns', permission: 'campaigns:read', group: 'console' } },
  { path: '/settings', page: page(() => import('../pages/settings-page.tsx'), 'SettingsPage'), nav: { label: 'Settings', permission: 'settings:read', group: 'console' } },
  { path: '/audit', page: page(() => import('../pages/audit-page.tsx'), 'AuditPage'), nav: { label: 'Audit log', permission: 'audit:read', group: 'accounts' } },
  { path: '/users', page: page(() => import('../pages/users-page.tsx'), 'UsersPage'), nav: { label: 'Users', permission: 'users:manage', group: 'accounts' } },
  { path: '/credentials', page: page(() => import('../pages/credentials-page.tsx'), 'CredentialsPage'), nav: { label: 'Credentials', permission: 'credentials:read', group: 'accounts' } },
  { path: '/api-keys', page: page(() => import('../pages/api-keys-page.tsx'), 'ApiKeysPage'), nav: { label: 'API keys', permission: 'apikeys:manage', group: 'accounts' } },
];
