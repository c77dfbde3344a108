/* Unit tests: lib/conf — precedence, *_FILE secrets, -X/-F, dump redaction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "conf.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct conf_opt opts[] = {
	{"brokers", "T_BROKERS", "localhost:9092", 0, "brokers"},
	{"password", "T_PASSWORD", NULL, CONF_SECRET, "a secret"},
	{"count", "T_COUNT", "5", 0, "a number"},
	{"once", NULL, NULL, CONF_SWITCH, "a switch"},
};

static struct conf make(void)
{
	struct conf c = {.prog = "t", .opts = opts, .nopts = 4};
	return c;
}

static int parse(struct conf *c, int argc, char **argv)
{
	char err[256];
	return conf_parse(c, argc, argv, err, sizeof err);
}

static void precedence_default_env_flag(void **s)
{
	(void)s;
	unsetenv("T_BROKERS");
	struct conf c = make();
	assert_int_equal(parse(&c, 1, (char *[]){"t", NULL}), CONF_OK);
	assert_string_equal(conf_str(&c, "brokers"), "localhost:9092");
	conf_free(&c);

	setenv("T_BROKERS", "env:1", 1);
	c = make();
	assert_int_equal(parse(&c, 1, (char *[]){"t", NULL}), CONF_OK);
	assert_string_equal(conf_str(&c, "brokers"), "env:1");
	conf_free(&c);

	c = make();
	assert_int_equal(parse(&c, 3, (char *[]){"t", "--brokers", "flag:2", NULL}), CONF_OK);
	assert_string_equal(conf_str(&c, "brokers"), "flag:2");
	conf_free(&c);
	c = make();
	assert_int_equal(parse(&c, 2, (char *[]){"t", "--brokers=flag:3", NULL}), CONF_OK);
	assert_string_equal(conf_str(&c, "brokers"), "flag:3");
	conf_free(&c);
	unsetenv("T_BROKERS");
}

static void secret_from_file_and_conflict(void **s)
{
	(void)s;
	char path[] = "/tmp/tp-secret-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cr3t-value\n", 13), 13);
	close(fd);
	setenv("T_PASSWORD_FILE", path, 1);
	struct conf c = make();
	assert_int_equal(parse(&c, 1, (char *[]){"t", NULL}), CONF_OK);
	assert_string_equal(conf_str(&c, "password"), "s3cr3t-value");
	conf_free(&c);

	setenv("T_PASSWORD", "other", 1);
	c = make();
	char err[256] = "";
	assert_int_equal(conf_parse(&c, 1, (char *[]){"t", NULL}, err, sizeof err), CONF_ERROR);
	assert_non_null(strstr(err, "both T_PASSWORD and T_PASSWORD_FILE"));
	conf_free(&c);
	unsetenv("T_PASSWORD");
	unsetenv("T_PASSWORD_FILE");
	unlink(path);
}

static void kafka_passthrough_and_file(void **s)
{
	(void)s;
	char path[] = "/tmp/tp-kafka-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "# comment\nlinger.ms=7\n\n  acks = all\nsasl.password=pw12345\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct conf c = make();
	assert_int_equal(parse(&c, 5, (char *[]){"t", "-F", path, "-X", "linger.ms=9", NULL}), CONF_OK);
	assert_int_equal(c.nkafka, 3);
	assert_string_equal(c.kafka_key[0], "linger.ms");
	assert_string_equal(c.kafka_val[0], "9"); /* later wins */
	assert_string_equal(c.kafka_key[1], "acks");
	/* a program default yields to the user's value, and fills in when absent */
	conf_kafka_default(&c, "linger.ms", "100");
	conf_kafka_default(&c, "fetch.max.bytes", "4194304");
	assert_string_equal(c.kafka_val[0], "9");
	assert_int_equal(c.nkafka, 4);
	assert_string_equal(c.kafka_val[3], "4194304");
	assert_string_equal(c.kafka_val[1], "all");
	conf_free(&c);
	unlink(path);
}

static void bad_input_is_one_line_error(void **s)
{
	(void)s;
	char err[256];
	struct conf c = make();
	assert_int_equal(conf_parse(&c, 2, (char *[]){"t", "--nope", NULL}, err, sizeof err), CONF_ERROR);
	assert_non_null(strstr(err, "unknown option --nope"));
	assert_null(strchr(err, '\n'));
	conf_free(&c);
	c = make();
	assert_int_equal(conf_parse(&c, 3, (char *[]){"t", "-X", "novalue", NULL}, err, sizeof err), CONF_ERROR);
	conf_free(&c);
	c = make();
	assert_int_equal(conf_parse(&c, 2, (char *[]){"t", "--brokers", NULL}, err, sizeof err), CONF_ERROR);
	assert_non_null(strstr(err, "needs a value"));
	conf_free(&c);
}

static void numbers_switches_and_args(void **s)
{
	(void)s;
	char err[256];
	long n;
	struct conf c = make();
	assert_int_equal(parse(&c, 5, (char *[]){"t", "--once", "status", "--count", "12", NULL}), CONF_OK);
	assert_true(conf_bool(&c, "once"));
	assert_int_equal(c.nargs, 1);
	assert_string_equal(c.args[0], "status");
	assert_int_equal(conf_long(&c, "count", 1, 100, &n, err, sizeof err), 0);
	assert_int_equal(n, 12);
	assert_int_equal(conf_long(&c, "count", 1, 10, &n, err, sizeof err), -1);
	assert_non_null(strstr(err, "--count"));
	conf_free(&c);
	c = make();
	assert_int_equal(parse(&c, 3, (char *[]){"t", "--count", "12abc", NULL}), CONF_OK);
	assert_int_equal(conf_long(&c, "count", 1, 100, &n, err, sizeof err), -1);
	conf_free(&c);
}

static void dump_redacts_secrets(void **s)
{
	(void)s;
	struct conf c = make();
	assert_int_equal(parse(&c, 5, (char *[]){"t", "--password", "hunter2x", "-X", "sasl.password=pw999", NULL}), CONF_OK);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	conf_dump(&c, f);
	fclose(f);
	assert_null(strstr(buf, "hunter2x"));
	assert_null(strstr(buf, "pw999"));
	assert_non_null(strstr(buf, "password=[redacted]"));
	assert_non_null(strstr(buf, "kafka.sasl.password=[redacted]"));
	free(buf);
	conf_free(&c);
}

int main(void)
{
	log_init("test", "error");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(precedence_default_env_flag),
		cmocka_unit_test(secret_from_file_and_conflict),
		cmocka_unit_test(kafka_passthrough_and_file),
		cmocka_unit_test(bad_input_is_one_line_error),
		cmocka_unit_test(numbers_switches_and_args),
		cmocka_unit_test(dump_redacts_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
