/** The console's shared pieces now live in the page kit (web/src/ui); this keeps older imports working. */
export { BodyView, CopyButton, DeliveryStatus, EmptyState, ErrorBanner, IdLink, JsonView, KeyValues, LiveDot, LoadMore, Loading, PageHeader, StatusBadge, Time, ago, statusTone } from '../ui/index.ts';
