export * from './errors.js';
export * from './events.js';
export * from './contracts/auth.js';
export * from './contracts/settings.js';
export * from './contracts/system.js';
export * from './contracts/datasets.js';
export * from './contracts/training.js';
export * from './contracts/hub.js';
