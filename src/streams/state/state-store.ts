/** What every store has, whatever it stores (Kafka Streams' `StateStore`). */
export interface StateStore {
  readonly name: string;
  /** Kept on disk across restarts (LevelDB), as opposed to rebuilt from the changelog (in memory). */
  readonly persistent: boolean;
}
