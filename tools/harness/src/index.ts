export * from './argus.js';
export * from './ports.js';
