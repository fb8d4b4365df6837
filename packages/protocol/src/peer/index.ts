export * from './data.js';
export * from './membership.js';
