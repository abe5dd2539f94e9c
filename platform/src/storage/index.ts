export * from './blob-store.js';
export * from './local-blob-store.js';
export * from './signed-url.js';
