/* conf — settings from defaults, environment, *_FILE and flags. See conf.h. */
#include "conf.h"
#include "log.h"

#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find_opt(const struct conf *c, const char *name, size_t len)
{
	for (int i = 0; i < c->nopts; i++)
		if (strlen(c->opts[i].name) == len && strncmp(c->opts[i].name, name, len) == 0)
			return i;
	return -1;
}

static void set_value(struct conf *c, int i, const char *v)
{
	free(c->values[i]);
	c->values[i] = v ? strdup(v) : NULL;
}

char *conf_read_file(const char *path, char *err, size_t errsize)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				free(buf);
				buf = NULL;
			}
			buf = nb;
		}
	}
	fclose(f);
	if (!buf) {
		snprintf(err, errsize, "out of memory reading %s", path);
		return NULL;
	}
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return buf;
}

/* NAME and NAME_FILE both set is an error, as in the official images' file_env. */
static int load_env(struct conf *c, int i, char *err, size_t errsize)
{
	const struct conf_opt *o = &c->opts[i];
	if (!o->env)
		return 0;
	char fname[128];
	snprintf(fname, sizeof fname, "%s_FILE", o->env);
	const char *direct = getenv(o->env);
	const char *file = getenv(fname);
	if (direct && file && *file) {
		snprintf(err, errsize, "both %s and %s are set; use one", o->env, fname);
		return -1;
	}
	if (file && *file) {
		char *v = conf_read_file(file, err, errsize);
		if (!v)
			return -1;
		free(c->values[i]);
		c->values[i] = v;
	} else if (direct) {
		set_value(c, i, direct);
	}
	return 0;
}

int conf_kafka_is_secret(const char *key)
{
	static const char *const words[] = {"password", "secret", "sasl.oauthbearer.config",
	                                    "ssl.key.pem", "keystore", "token", NULL};
	for (int i = 0; words[i]; i++)
		if (strstr(key, words[i]))
			return 1;
	return 0;
}

int conf_kafka_set(struct conf *c, const char *key, const char *val)
{
	for (int i = 0; i < c->nkafka; i++)
		if (strcmp(c->kafka_key[i], key) == 0) {
			free(c->kafka_val[i]);
			c->kafka_val[i] = strdup(val);
			goto registered;
		}
	if (c->nkafka == CONF_MAX_KAFKA)
		return -1;
	c->kafka_key[c->nkafka] = strdup(key);
	c->kafka_val[c->nkafka++] = strdup(val);
registered:
	if (conf_kafka_is_secret(key))
		log_add_secret(val);
	return 0;
}

int conf_kafka_default(struct conf *c, const char *key, const char *val)
{
	for (int i = 0; i < c->nkafka; i++)
		if (strcmp(c->kafka_key[i], key) == 0)
			return 0;
	return conf_kafka_set(c, key, val);
}

static int kafka_pair(struct conf *c, const char *kv, char *err, size_t errsize)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		snprintf(err, errsize, "-X expects key=value, dump or list, got \"%s\"", kv);
		return -1;
	}
	/* "key = value" in a properties file means key and value, without the blanks. */
	char key[256];
	int klen = (int)(eq - kv);
	while (klen > 0 && (kv[klen - 1] == ' ' || kv[klen - 1] == '\t'))
		klen--;
	snprintf(key, sizeof key, "%.*s", klen, kv);
	const char *val = eq + 1;
	while (*val == ' ' || *val == '\t')
		val++;
	return conf_kafka_set(c, key, val);
}

static int kafka_file(struct conf *c, const char *path, char *err, size_t errsize)
{
	char *text = conf_read_file(path, err, errsize);
	if (!text)
		return -1;
	int rc = 0;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line && rc == 0;
	     line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		size_t n = strlen(line);
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			line[--n] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		rc = kafka_pair(c, line, err, errsize);
	}
	free(text);
	return rc;
}

/* Handles one "--name[=value]" at argv[*i]. */
static int long_flag(struct conf *c, int argc, char **argv, int *i, char *err, size_t errsize)
{
	const char *arg = argv[*i] + 2;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	int k = find_opt(c, arg, len);
	if (k < 0) {
		snprintf(err, errsize, "unknown option --%.*s (see --help)", (int)len, arg);
		return -1;
	}
	if (c->opts[k].flags & CONF_SWITCH) {
		set_value(c, k, eq ? eq + 1 : "1");
		return 0;
	}
	if (eq) {
		set_value(c, k, eq + 1);
	} else if (*i + 1 < argc) {
		set_value(c, k, argv[++*i]);
	} else {
		snprintf(err, errsize, "option --%s needs a value", c->opts[k].name);
		return -1;
	}
	return 0;
}

/* The kcat-style short options. Returns CONF_OK, CONF_DONE or CONF_ERROR. */
static int short_flag(struct conf *c, int argc, char **argv, int *i, int *dump, char *err,
                      size_t errsize)
{
	const char *a = argv[*i];
	if (strcmp(a, "-h") == 0) {
		conf_usage(c, stdout);
		return CONF_DONE;
	}
	if (strcmp(a, "-V") == 0) {
		printf("%s %s\n", c->prog, TP_VERSION);
		return CONF_DONE;
	}
	if (strcmp(a, "-n") == 0) {
		c->check_only = 1;
		return CONF_OK;
	}
	if ((strcmp(a, "-X") == 0 || strcmp(a, "-F") == 0) && *i + 1 >= argc) {
		snprintf(err, errsize, "option %s needs a value", a);
		return CONF_ERROR;
	}
	if (strcmp(a, "-F") == 0)
		return kafka_file(c, argv[++*i], err, errsize) ? CONF_ERROR : CONF_OK;
	if (strcmp(a, "-X") == 0) {
		const char *v = argv[++*i];
		if (strcmp(v, "dump") == 0) {
			*dump = 1;
			return CONF_OK;
		}
		if (strcmp(v, "list") == 0) {
			rd_kafka_conf_properties_show(stdout);
			return CONF_DONE;
		}
		return kafka_pair(c, v, err, errsize) ? CONF_ERROR : CONF_OK;
	}
	snprintf(err, errsize, "unknown option %s (see --help)", a);
	return CONF_ERROR;
}

static int parse_args(struct conf *c, int argc, char **argv, int *dump, char *err,
                      size_t errsize)
{
	c->args = calloc((size_t)argc + 1, sizeof *c->args);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int rc = CONF_OK;
		if (strcmp(a, "--help") == 0) {
			conf_usage(c, stdout);
			return CONF_DONE;
		} else if (strcmp(a, "--version") == 0) {
			printf("%s %s\n", c->prog, TP_VERSION);
			return CONF_DONE;
		} else if (strcmp(a, "--check") == 0)
			c->check_only = 1;
		else if (strncmp(a, "--", 2) == 0 && a[2])
			rc = long_flag(c, argc, argv, &i, err, errsize) ? CONF_ERROR : CONF_OK;
		else if (a[0] == '-' && a[1])
			rc = short_flag(c, argc, argv, &i, dump, err, errsize);
		else
			c->args[c->nargs++] = strdup(a);
		if (rc != CONF_OK)
			return rc;
	}
	return CONF_OK;
}

int conf_parse(struct conf *c, int argc, char **argv, char *err, size_t errsize)
{
	if (c->nopts > CONF_MAX_OPTS) {
		snprintf(err, errsize, "too many settings");
		return CONF_ERROR;
	}
	for (int i = 0; i < c->nopts; i++) {
		set_value(c, i, c->opts[i].def);
		if (load_env(c, i, err, errsize))
			return CONF_ERROR;
	}
	const char *kfile = getenv("TICKPIPE_KAFKA_CONFIG");
	if (kfile && *kfile && kafka_file(c, kfile, err, errsize))
		return CONF_ERROR;
	int dump = 0;
	int rc = parse_args(c, argc, argv, &dump, err, errsize);
	if (rc != CONF_OK)
		return rc;
	for (int i = 0; i < c->nopts; i++)
		if ((c->opts[i].flags & CONF_SECRET) && c->values[i])
			log_add_secret(c->values[i]);
	if (dump) {
		conf_dump(c, stdout);
		return CONF_DONE;
	}
	return CONF_OK;
}

void conf_free(struct conf *c)
{
	for (int i = 0; i < c->nopts; i++) {
		free(c->values[i]);
		c->values[i] = NULL;
	}
	for (int i = 0; i < c->nkafka; i++) {
		free(c->kafka_key[i]);
		free(c->kafka_val[i]);
	}
	c->nkafka = 0;
	for (int i = 0; i < c->nargs; i++)
		free(c->args[i]);
	free(c->args);
	c->args = NULL;
	c->nargs = 0;
}

const char *conf_str(const struct conf *c, const char *name)
{
	int i = find_opt(c, name, strlen(name));
	if (i < 0) {
		fprintf(stderr, "%s: internal error: no setting named %s\n", c->prog, name);
		abort();
	}
	return c->values[i];
}

int conf_bool(const struct conf *c, const char *name)
{
	const char *v = conf_str(c, name);
	return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 ||
	             strcmp(v, "on") == 0);
}

int conf_long(const struct conf *c, const char *name, long min, long max, long *out,
              char *err, size_t errsize)
{
	const char *v = conf_str(c, name);
	char *end;
	errno = 0;
	long x = v ? strtol(v, &end, 10) : 0;
	if (!v || errno || end == v || *end || x < min || x > max) {
		snprintf(err, errsize, "--%s must be an integer in [%ld, %ld], got \"%s\"", name, min,
		         max, v ? v : "");
		return -1;
	}
	*out = x;
	return 0;
}

int conf_double(const struct conf *c, const char *name, double min, double max, double *out,
                char *err, size_t errsize)
{
	const char *v = conf_str(c, name);
	char *end;
	errno = 0;
	double x = v ? strtod(v, &end) : 0;
	if (!v || errno || end == v || *end || !isfinite(x) || x < min || x > max) {
		snprintf(err, errsize, "--%s must be a number in [%g, %g], got \"%s\"", name, min, max,
		         v ? v : "");
		return -1;
	}
	*out = x;
	return 0;
}

void conf_usage(const struct conf *c, FILE *f)
{
	fprintf(f, "usage: %s [options]%s%s\n", c->prog, c->commands ? " " : "",
	        c->commands ? c->commands : "");
	if (c->summary)
		fprintf(f, "%s\n", c->summary);
	fprintf(f, "\noptions (flag, environment, default):\n");
	for (int i = 0; i < c->nopts; i++) {
		const struct conf_opt *o = &c->opts[i];
		fprintf(f, "  --%-22s %s\n", o->name, o->help);
		if (o->env)
			fprintf(f, "  %-24s [$%s%s%s%s]\n", "", o->env,
			        (o->flags & CONF_SECRET) ? " or $" : "", (o->flags & CONF_SECRET) ? o->env : "",
			        (o->flags & CONF_SECRET) ? "_FILE" : "");
		if (o->def && !(o->flags & CONF_SECRET))
			fprintf(f, "  %-24s default: %s\n", "", o->def);
	}
	fprintf(f, "\n  -X key=value            librdkafka property (see -X list)\n"
	           "  -X dump                 print the effective configuration and exit\n"
	           "  -F file                 librdkafka properties file ($TICKPIPE_KAFKA_CONFIG)\n"
	           "  -n, --check             check the configuration and exit\n"
	           "  -h, --help              this text\n"
	           "  -V, --version           print the version\n");
}

void conf_dump(const struct conf *c, FILE *f)
{
	fprintf(f, "# %s %s effective configuration\n", c->prog, TP_VERSION);
	for (int i = 0; i < c->nopts; i++) {
		const char *v = c->values[i];
		if (v && (c->opts[i].flags & CONF_SECRET))
			v = "[redacted]";
		fprintf(f, "%s=%s\n", c->opts[i].name, v ? v : "");
	}
	for (int i = 0; i < c->nkafka; i++)
		fprintf(f, "kafka.%s=%s\n", c->kafka_key[i],
		        conf_kafka_is_secret(c->kafka_key[i]) ? "[redacted]" : c->kafka_val[i]);
}
