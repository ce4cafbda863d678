/**
 * The page kit: every console and portal page is built from these, so a reader who knows
 * one page knows the next (header, list with filters and empty state, banners, confirm,
 * secret shown once, form field, and the loading and error state of queries and actions).
 */
export { ActionFeedback, ErrorBanner, SuccessBanner } from './banners.tsx';
export { ConfirmButton } from './confirm-button.tsx';
export { useConfirmDialog, type ConfirmRequest } from './confirm-dialog.tsx';
export { CopyButton } from './copy-button.tsx';
export { DataTable, EmptyState, LoadMore, type Column } from './data-table.tsx';
export { BodyView, DeliveryStatus, IdLink, JsonView, KeyValues, LiveDot, StatusBadge, Time, ago, statusTone } from './display.tsx';
export { Field, Options } from './field.tsx';
export { InlineForm, useFormValues } from './form.tsx';
export { DateFilter, FilterBar, SelectFilter, TextFilter, localNow, localToIso, useUrlFilters } from './filters.tsx';
export { DetailPlaceholder, Loading, NoAccess, Page, PageHeader, QueryView } from './page.tsx';
export { PermissionNote, rolesPhrase, useAskAnAdmin } from './permission-note.tsx';
export { SecretOnce } from './secret-once.tsx';
export { useAction, type ActionState } from './use-action.ts';
export { useLiveActivity, useLiveRefresh } from './use-live.ts';
export { toApiError, useQuery, usePagedList, type Getter, type PagedList, type Query } from './use-query.ts';
