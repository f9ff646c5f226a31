export * from './normalize.js';
export * from './speech-text.js';
export { MI_EXCEPTIONS, isVerbAfterMi } from './verb-prefix.js';
export * from './search-query.js';
export { prepareText, textPreparationFor } from './text-preparation.js';
