export * from './long-term-archive.js';
export * from './rules.js';
export * from './schedule.js';
