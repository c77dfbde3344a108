/* log — logfmt lines to stderr with a secret filter. See log.h. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SECRETS 512
#define LINE_MAX_LEN 8192

static const char *const level_names[] = {"debug", "info", "warn", "error"};
static char prog_name[64] = "tickpipe";
static enum log_level threshold = LOG_INFO;
static FILE *out;
static char *secrets[MAX_SECRETS];
static int nsecrets;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

int log_init(const char *prog, const char *level_name)
{
	snprintf(prog_name, sizeof prog_name, "%s", prog ? prog : "tickpipe");
	threshold = LOG_INFO;
	if (!level_name)
		return 0;
	for (int i = 0; i < 4; i++)
		if (strcmp(level_name, level_names[i]) == 0) {
			threshold = (enum log_level)i;
			return 0;
		}
	return -1;
}

void log_set_stream(FILE *f) { out = f; }

int log_enabled(enum log_level level) { return level >= threshold; }

void log_add_secret(const char *secret)
{
	if (!secret || strlen(secret) < 4)
		return;
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			goto done;
	if (nsecrets < MAX_SECRETS)
		secrets[nsecrets++] = strdup(secret);
done:
	pthread_mutex_unlock(&lock);
}

void log_clear_secrets(void)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < nsecrets; i++)
		free(secrets[i]);
	nsecrets = 0;
	pthread_mutex_unlock(&lock);
}

/* Replaces every registered secret in line (in place; "***" is never longer
 * than a secret of 4 or more characters). Caller holds the lock. */
static void mask_secrets(char *line)
{
	for (int i = 0; i < nsecrets; i++) {
		size_t n = strlen(secrets[i]);
		char *p;
		while ((p = strstr(line, secrets[i])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}

const char *log_quote(const char *s, char *buf, size_t size)
{
	if (!s)
		return "\"\"";
	if (*s && strpbrk(s, " \"=\t\n\\") == NULL)
		return s;
	size_t j = 0;
	if (size < 3)
		return "\"\"";
	buf[j++] = '"';
	for (; *s && j + 3 < size; s++) {
		if (*s == '"' || *s == '\\')
			buf[j++] = '\\';
		buf[j++] = (*s == '\n' || *s == '\t') ? ' ' : *s;
	}
	buf[j++] = '"';
	buf[j] = '\0';
	return buf;
}

void log_write(enum log_level level, const char *event, const char *fmt, ...)
{
	if (level < threshold)
		return;
	char line[LINE_MAX_LEN];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	int n = snprintf(line, sizeof line,
	                 "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s prog=%s event=%s",
	                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
	                 tm.tm_sec, ts.tv_nsec / 1000000, level_names[level], prog_name, event);
	if (fmt && *fmt && n > 0 && (size_t)n < sizeof line - 2) {
		line[n++] = ' ';
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
		va_end(ap);
	}
	/* One event, one line: a value with a newline must not start a fake line. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	pthread_mutex_lock(&lock);
	mask_secrets(line);
	FILE *f = out ? out : stderr;
	fputs(line, f);
	fputc('\n', f);
	fflush(f);
	pthread_mutex_unlock(&lock);
}
