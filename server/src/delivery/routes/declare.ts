import type { declareRoutes } from '../../http/route.ts';

/** The route declarer each resource file registers its routes with. */
export type DeclareRoute = ReturnType<typeof declareRoutes>;
