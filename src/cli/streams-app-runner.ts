/**
 * Running a loaded streams application in the foreground (`skein run`): start a KafkaStreams client
 * for it, let it log its state transitions, and return when it is asked to stop (it is closed
 * cleanly first) — or fail with one line when it cannot start or ends in ERROR.
 *
 * A stream thread that fails shuts the client down (Kafka Streams' default uncaught-exception
 * response, SHUTDOWN_CLIENT); the error that did it is what the final line reports.
 */
import type { Logger } from '../common/logger.js';
import { KafkaStreams } from '../streams/runtime/kafka-streams.js';
import { CliError, errorLine } from './cli-error.js';
import type { LoadedStreamsApp } from './streams-app-loader.js';

export interface RunStreamsAppOptions {
  /** The runner's own lines (what it loaded, why it stops). */
  logger: Logger;
  /** KafkaStreams' log (state transitions, tasks, restoration); default: its own, INFO to stderr. */
  streamsLogger?: Logger;
  /**
   * Resolves with what asked the application to stop (e.g. `SIGTERM`). A request that comes while
   * the client is starting is acted on once it has started.
   */
  stopRequested: Promise<string>;
}

/** Runs `app` until `stopRequested`; resolves after a clean close, throws a CliError otherwise. */
export async function runStreamsApp(app: LoadedStreamsApp, opts: RunStreamsAppOptions): Promise<void> {
  const { logger } = opts;
  let streams: KafkaStreams;
  try {
    streams = new KafkaStreams(app.topology, app.properties, opts.streamsLogger === undefined ? {} : { logger: opts.streamsLogger });
  } catch (e) {
    throw new CliError(`Cannot run ${app.modulePath}: ${errorLine(e)}`);
  }
  const appId = String(app.properties['application.id']);
  let failure: unknown;
  streams.setUncaughtExceptionHandler((e) => {
    failure ??= e;
    return 'SHUTDOWN_CLIENT';
  });
  const ended = new Promise<'NOT_RUNNING' | 'ERROR'>((resolve) => {
    streams.setStateListener((state) => {
      if (state === 'NOT_RUNNING' || state === 'ERROR') resolve(state);
    });
  });

  const threads = app.properties['num.stream.threads'] ?? 1;
  logger.info(
    `Running streams application ${appId} from ${app.modulePath} (${describeExport(app)}, ${threads} stream thread(s), bootstrap.servers=${String(app.properties['bootstrap.servers'])})`,
  );
  try {
    await streams.start();
  } catch (e) {
    throw new CliError(`Streams application ${appId} could not start: ${errorLine(e)}`);
  }

  const outcome = await Promise.race([ended, opts.stopRequested.then((reason) => ({ reason }))]);
  if (typeof outcome === 'object') {
    logger.info(`Received ${outcome.reason}; closing streams application ${appId} (send it again to exit at once)`);
    await streams.close();
  }
  if (streams.state() === 'ERROR') {
    throw new CliError(`Streams application ${appId} stopped with an error: ${failure === undefined ? 'see the log above' : errorLine(failure)}`);
  }
  logger.info(`Streams application ${appId} closed`);
}

function describeExport(app: LoadedStreamsApp): string {
  const where = app.exportName === 'default' ? 'default export' : "export 'topology'";
  const what = app.kind === 'function' ? 'a function' : `a ${app.kind}`;
  return `${where}: ${what}`;
}
