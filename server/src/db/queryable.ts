/**
 * The one database client type every data module takes: a pool, a pool client or a
 * transaction's client all fit, so a function runs inside its caller's transaction or
 * on its own without knowing which.
 */
export interface Queryable {
  query: <R = any>(text: string, values?: unknown[]) => Promise<{ rows: R[]; rowCount: number | null }>;
}
