/** Structured log lines: one JSON object per line on stderr when FAULTLINE_LOG_FORMAT=json, readable text otherwise. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  level?: Level;
  json?: boolean;
  write?: (line: string) => void;
}

export function createLogger(component = 'faultline', opts: LoggerOptions = {}): Logger {
  const min = RANK[opts.level ?? ((process.env.FAULTLINE_LOG_LEVEL as Level | undefined) ?? 'info')] ?? RANK.info;
  const json = opts.json ?? process.env.FAULTLINE_LOG_FORMAT === 'json';
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const time = new Date().toISOString();
    if (json) {
      write(JSON.stringify({ time, level, component, msg, ...fields }));
      return;
    }
    const extra = fields && Object.keys(fields).length
      ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')
      : '';
    write(`${time} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}${extra}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (c) => createLogger(`${component}/${c}`, opts),
  };
}

/** A logger that drops everything: for tests and benchmarks. */
export const silentLogger: Logger = createLogger('silent', { write: () => {} });
