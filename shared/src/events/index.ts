export * from './catalog.ts';
export * from './define.ts';
export * from './envelope.ts';
export { lifecycleStage } from './common.ts';
