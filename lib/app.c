#include "app.h"
#include "memtune.h"
#include "log.h"
#include "sig.h"

#include <stdarg.h>
#include <stdio.h>

int app_init(struct conf *c, int argc, char **argv)
{
	char err[512];
	memtune_apply(); /* before any library starts a thread */
	int rc = conf_parse(c, argc, argv, err, sizeof err);
	if (rc == CONF_DONE)
		return 0;
	if (rc == CONF_ERROR)
		return app_usage_error(c, "%s", err);
	if (log_init(c->prog, conf_str(c, "log-level")))
		return app_usage_error(c, "--log-level must be debug, info, warn or error");
	sig_install();
	return -1;
}

int app_usage_error(const struct conf *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}
