export * from './catalog.ts';
export * from './define.ts';
export * from './envelope.ts';
export { lifecycleStage, type LifecycleStage } from './common.ts';
export * from './names.ts';
