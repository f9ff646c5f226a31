export * from './delimited-records.js';
export * from './header-row.js';
export * from './file-kind.js';
export * from './format.js';
