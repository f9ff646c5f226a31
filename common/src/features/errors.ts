export type FeatureErrorCode =
  | 'INVALID_SPEC'
  | 'NO_ROWS'
  | 'TOO_FEW_CLASSES'
  | 'TOO_MANY_CLASSES'
  | 'MISSING_LABEL'
  | 'UNKNOWN_LABEL'
  | 'INVALID_FEATURES_JSON'
  | 'BAD_MODEL_OUTPUT'
  | 'EMBEDDING_MISSING';

/** Every failure of the feature extractor; `code` lets callers map it to an API error or a Persian message. */
export class FeatureError extends Error {
  override readonly name = 'FeatureError';
  constructor(
    readonly code: FeatureErrorCode,
    message: string,
    /** The 0-based row index the problem was found at, when it concerns one row. */
    readonly row?: number,
  ) {
    super(message);
  }
}
