#include "log.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -1;
static enum log_level log_min = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error", "off" };

int log_level_parse(const char *s)
{
	for (int i = 0; i <= LOG_OFF; i++)
		if (s && !strcmp(s, level_names[i]))
			return i;
	return -1;
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_open(const char *path, enum log_level level)
{
	log_close();
	log_min = level;
	if (level == LOG_OFF)
		return;
	log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void log_close(void)
{
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
}

void log_msg(enum log_level level, const char *ctx, const char *fmt, ...)
{
	char msg[1024], ts[96];
	struct timeval tv;
	struct tm tm;
	cJSON *o;
	char *line;
	va_list ap;

	if (log_fd < 0 || level < log_min || level >= LOG_OFF)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(tv.tv_usec / 1000));
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "ts", ts);
	cJSON_AddStringToObject(o, "level", level_names[level]);
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	if (ctx)
		cJSON_AddStringToObject(o, "ctx", ctx);
	cJSON_AddStringToObject(o, "msg", msg);
	line = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (line) {
		size_t n = strlen(line);

		line[n] = '\n'; /* cJSON allocates n+1 bytes; the NUL becomes the newline */
		if (write(log_fd, line, n + 1) < 0) {
			/* nowhere left to report a failing log */
		}
		free(line);
	}
}
