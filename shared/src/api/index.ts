export * from './errors.ts';
export * from './runs.ts';
export * from './workflows.ts';
export * from '../auth/roles.ts';
