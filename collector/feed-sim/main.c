/* feed-sim — the exchange simulator for tests, `make demo` and `make bench`.
 * See docs/feed-sim.1 and sim.h. main parses, builds the market and the
 * server, serves until SIGTERM (or --exit-after-ms), exits. */
#include "app.h"
#include "clock.h"
#include "log.h"
#include "server.h"
#include "sig.h"
#include "tradecal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct conf_opt opts[] = {
	APP_COMMON_OPTS,
	{"port", "SIM_PORT", "0", 0, "listen on 127.0.0.1:PORT (0: any free port)"},
	{"port-file", NULL, NULL, 0, "write the bound port here once listening"},
	{"symbols", NULL, "10", 0, "number of KRX symbols (6-digit codes)"},
	{"symbol-list", NULL, NULL, 0, "KRX codes instead of --symbols (comma-separated)"},
	{"fh-symbols", NULL, "", 0, "Finnhub symbols (AAPL,MSFT)"},
	{"seed", NULL, "1", 0, "random seed: the same seed gives the same trades"},
	{"rate", NULL, "100", 0, "KRX trades per second"},
	{"fh-rate", NULL, "10", 0, "Finnhub trades per second"},
	{"total", NULL, "0", 0, "KRX trades to send, then go quiet (0: no end)"},
	{"fh-total", NULL, "0", 0, "Finnhub trades to send (0: no end)"},
	{"open-burst", NULL, "100", 0, "first trades of the day: 3x rate, 5x size"},
	{"max-batch", NULL, "5", 0, "records per H0STCNT0 frame, at most (<= 64)"},
	{"batch-prob", NULL, "0.2", 0, "chance a frame carries several records"},
	{"ping-interval-ms", NULL, "10000", 0, "PINGPONG / ping period (0: none)"},
	{"pong-timeout-ms", NULL, "0", 0, "close a KIS socket that leaves PINGPONG unanswered"},
	{"max-subs", NULL, "41", 0, "registrations per appkey (OPSP0008 beyond)"},
	{"drop-every", NULL, "0", 0, "fault: close the socket after every N data frames"},
	{"drop-max", NULL, "1", 0, "fault: at most this many drops"},
	{"malformed-every", NULL, "0", 0, "fault: a malformed frame every N data frames"},
	{"silence-after", NULL, "0", 0, "fault: go silent after N data frames ..."},
	{"silence-ms", NULL, "0", 0, "... for this long"},
	{"clock", NULL, "real", 0, "real (wall clock) or virtual (from --start, deterministic)"},
	{"speed", NULL, "1", 0, "virtual clock: simulated seconds per wall second"},
	{"start", NULL, NULL, 0, "virtual clock start, YYYY-MM-DDTHH:MM:SS KST (default today 09:00)"},
	{"queue-max", NULL, "100000", 0, "trades kept per symbol nobody is subscribed to"},
	{"quote-limit", NULL, "60", 0, "/quote calls per minute before 429"},
	{"finnhub-token", "SIM_FINNHUB_TOKEN", NULL, CONF_SECRET, "token Finnhub clients must send"},
	{"credentials", NULL, NULL, 0, "appkey:secret lines the approval endpoint accepts"},
	{"record", NULL, NULL, 0, "NDJSON of every trade sent (with the collector's tick id)"},
	{"record-frames", NULL, NULL, 0, "NDJSON of every text frame sent"},
	{"list-symbols", NULL, NULL, CONF_SWITCH, "print the KRX codes, one a line, and exit"},
	{"dump-frames", NULL, NULL, 0, "write --total trades as frames to FILE and exit"},
	{"exit-after-ms", NULL, "0", 0, "stop after this long (0: at SIGTERM)"},
};

static int nums(struct conf *c, struct sim_cfg *g, char *err, size_t es)
{
	long v[16];
	static const struct { const char *n; long lo, hi; } L[] = {
		{"port", 0, 65535}, {"total", 0, 2000000000}, {"fh-total", 0, 2000000000},
		{"max-batch", 1, 64}, {"ping-interval-ms", 0, 86400000}, {"pong-timeout-ms", 0, 86400000},
		{"max-subs", 1, 100000}, {"drop-every", 0, 2000000000}, {"drop-max", 0, 2000000000},
		{"malformed-every", 0, 2000000000}, {"silence-after", 0, 2000000000},
		{"silence-ms", 0, 86400000}, {"queue-max", 1, 100000000}, {"quote-limit", 0, 1000000}};
	for (size_t i = 0; i < sizeof L / sizeof L[0]; i++)
		if (conf_long(c, L[i].n, L[i].lo, L[i].hi, &v[i], err, es))
			return -1;
	g->port = (int)v[0], g->total = v[1], g->fh_total = v[2], g->max_batch = (int)v[3];
	g->ping_ms = v[4], g->pong_timeout_ms = v[5], g->max_subs = (int)v[6];
	g->drop_every = v[7], g->drop_max = v[8], g->malformed_every = v[9];
	g->silence_after = v[10], g->silence_ms = v[11], g->queue_max = v[12], g->quote_limit = v[13];
	if (conf_double(c, "rate", 0.001, 1e7, &g->rate, err, es) ||
	    conf_double(c, "fh-rate", 0.001, 1e7, &g->fh_rate, err, es) ||
	    conf_double(c, "batch-prob", 0, 1, &g->batch_prob, err, es) ||
	    conf_double(c, "speed", 0.001, 1e6, &g->speed, err, es))
		return -1;
	return 0;
}

/* Virtual clock start: --start in KST, or today (KST) at 09:00. */
static int start_time(struct conf *c, struct sim_cfg *g, char *err, size_t es)
{
	const char *s = conf_str(c, "start");
	g->virtual_clock = !strcmp(conf_str(c, "clock"), "virtual");
	if (!g->virtual_clock && strcmp(conf_str(c, "clock"), "real")) {
		snprintf(err, es, "--clock must be real or virtual");
		return -1;
	}
	struct calendar krx = {.exch = EXCH_KRX};
	int y, mo, d, h, mi, sec;
	if (!s) {
		g->start_ms = cal_local_to_epoch(&krx, cal_local_days(&krx, clock_now_ms()), 9 * 60);
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &sec) != 6) {
		snprintf(err, es, "--start must be YYYY-MM-DDTHH:MM:SS (KST)");
		return -1;
	}
	g->start_ms = cal_local_to_epoch(&krx, cal_days_from_civil(y, mo, d), h * 60 + mi) + sec * 1000;
	return 0;
}

static int creds(struct conf *c, struct sim_cfg *g, char *err, size_t es)
{
	const char *path = conf_str(c, "credentials");
	if (!path)
		return 0;
	char *text = conf_read_file(path, err, es), *save = NULL;
	if (!text)
		return -1;
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':');
		if (*l == '#' || !colon)
			continue;
		*colon = 0;
		g->cred_key = realloc(g->cred_key, sizeof(char *) * (size_t)(g->ncred + 1));
		g->cred_secret = realloc(g->cred_secret, sizeof(char *) * (size_t)(g->ncred + 1));
		g->cred_key[g->ncred] = strdup(l);
		g->cred_secret[g->ncred++] = strdup(colon + 1);
	}
	free(text);
	return 0;
}

static FILE *open_out(struct conf *c, const char *name, char *err, size_t es, int *bad)
{
	const char *p = conf_str(c, name);
	if (!p || *bad)
		return NULL;
	FILE *f = fopen(p, "w");
	if (!f) {
		snprintf(err, es, "--%s: cannot write %s", name, p);
		*bad = 1;
	}
	return f;
}

static int list_symbols(const struct sim_market *m)
{
	for (int i = 0; i < m->nkrx; i++)
		printf("%s\n", m->sym[i].code);
	return fflush(stdout) ? EXIT_RUNTIME : 0;
}

static int serve(struct conf *c, struct sim_cfg *g, struct sim_market *m)
{
	char err[256];
	long exit_after = 0;
	conf_long(c, "exit-after-ms", 0, 1L << 40, &exit_after, NULL, 0);
	struct sim_server *s = sim_server_new(g, m, err, sizeof err);
	if (!s) {
		log_error("listen_failed", "error=\"%s\"", err);
		return EXIT_RUNTIME;
	}
	int port = sim_server_port(s);
	const char *pf = conf_str(c, "port-file");
	if (pf) {
		FILE *f = fopen(pf, "w");
		if (f) {
			fprintf(f, "%d\n", port);
			fclose(f);
		}
	}
	log_info("listening", "addr=127.0.0.1 port=%d symbols=%d us_symbols=%d", port, m->nkrx,
	         m->nsym - m->nkrx);
	sim_server_run(s, exit_after ? clock_mono_ms() + exit_after : 0);
	log_info("stopping", "reason=%s", sig_stop ? "signal" : "exit_after");
	sim_server_free(s);
	return 0;
}

int main(int argc, char **argv)
{
	struct conf c = {.prog = "feed-sim", .summary = "KIS + Finnhub exchange simulator",
	                 .opts = opts, .nopts = (int)(sizeof opts / sizeof opts[0])};
	int rc = app_init(&c, argc, argv);
	if (rc >= 0) {
		conf_free(&c);
		return rc;
	}
	char err[256];
	struct sim_cfg g = {0};
	struct sim_market m = {0};
	long nsym = 0, seed = 0, burst = 0;
	int bad = 0;
	if (nums(&c, &g, err, sizeof err) || start_time(&c, &g, err, sizeof err) ||
	    creds(&c, &g, err, sizeof err) ||
	    conf_long(&c, "symbols", 1, 100000, &nsym, err, sizeof err) ||
	    conf_long(&c, "seed", 0, 1L << 62, &seed, err, sizeof err) ||
	    conf_long(&c, "open-burst", 0, 1L << 40, &burst, err, sizeof err) ||
	    sim_market_init(&m, conf_str(&c, "symbol-list"), (int)nsym, conf_str(&c, "fh-symbols"),
	                    (uint64_t)seed, burst, err, sizeof err))
		bad = 1;
	g.fh_token = conf_str(&c, "finnhub-token");
	g.record = open_out(&c, "record", err, sizeof err, &bad);
	g.record_frames = open_out(&c, "record-frames", err, sizeof err, &bad);
	FILE *dump = open_out(&c, "dump-frames", err, sizeof err, &bad);
	if (bad)
		rc = app_usage_error(&c, "%s", err);
	else if (c.check_only)
		rc = 0;
	else if (conf_bool(&c, "list-symbols"))
		rc = list_symbols(&m);
	else if (dump)
		log_info("frames_dumped", "frames=%ld trades=%lld", sim_dump_frames(&g, &m, dump),
		         (long long)g.total), rc = 0;
	else
		rc = serve(&c, &g, &m);
	if (g.record)
		fclose(g.record);
	if (g.record_frames)
		fclose(g.record_frames);
	if (dump)
		fclose(dump);
	for (int i = 0; i < g.ncred; i++)
		free(g.cred_key[i]), free(g.cred_secret[i]);
	free(g.cred_key);
	free(g.cred_secret);
	sim_market_free(&m);
	conf_free(&c);
	return rc;
}
