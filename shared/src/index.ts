export * from './events/index.ts';
export * from './logic/rule.ts';
export * from './nodes/index.ts';
export * from './workflow/graph.ts';
export * from './workflow/validate.ts';
export * from './api/index.ts';
export * from './settings.ts';
