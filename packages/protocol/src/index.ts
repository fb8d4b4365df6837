export * from './decode.js';
export * from './errors.js';
export * from './hash.js';
export * as limits from './limits.js';
export * from './messages.js';
export * from './peer/index.js';
export * from './replica-read.js';
