/** An `.index` or `.timeindex` file that cannot be trusted; the segment rebuilds it from its `.log`. */
export class CorruptIndexError extends Error {
  override name = 'CorruptIndexError';
  readonly code = 'LOG_CORRUPT_INDEX';
}
