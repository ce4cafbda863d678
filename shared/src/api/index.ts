export * from './errors.ts';
export * from '../auth/roles.ts';
