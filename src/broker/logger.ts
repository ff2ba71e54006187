// The logger is shared by the broker and the streams runtime; it lives in src/common/.
export { type Logger, type LogLevel, createLogger, silentLogger } from '../common/logger.js';
