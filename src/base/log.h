/*
 * log.h - leveled JSON-lines log.
 *
 * One line per record: {"ts":"...","level":"error","pid":N,"msg":"...", ...}.
 * The level comes from NESTOR_LOG (debug|info|warn|error|off) or config
 * general.log_level; the default is info.  Nothing is written before
 * log_open().  Never pass a secret to these functions.
 */
#ifndef NESTOR_LOG_H
#define NESTOR_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR, LOG_OFF };

/* Open (append, mode 0600) the log at path.  Failure leaves logging off. */
void log_open(const char *path, enum log_level level);
void log_close(void);
void log_set_level(enum log_level level);
/* Parse "debug".."off"; returns -1 for anything else. */
int log_level_parse(const char *s);

/* Log msg with an optional "ctx" field (e.g. the command that failed). */
void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(...) log_msg(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, NULL, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, NULL, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, NULL, __VA_ARGS__)

#endif
