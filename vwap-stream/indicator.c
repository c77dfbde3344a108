/* indicator — SMA, EMA, volatility, crosses, ma7d. See indicator.h. */
#include "indicator.h"
#include "bar.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* m's place in vs_ind_vals.ma ("sma_5" -> k, "ema_5" -> VS_MAX_PERIODS + k),
 * or -1 when m is no configured average. */
static int member_index(const char *m, const struct vs_ind_conf *c)
{
	int ema = strncmp(m, "ema_", 4) == 0;
	if (!ema && strncmp(m, "sma_", 4) != 0)
		return -1;
	int n = atoi(m + 4);
	for (int i = 0; i < c->nper; i++)
		if (c->periods[i] == n)
			return ema ? VS_MAX_PERIODS + i : i;
	return -1;
}

static int parse_cross(struct vs_ind_conf *c, const char *cross, char *err, size_t errsize)
{
	c->fast[0] = c->slow[0] = '\0';
	if (!cross || !*cross || strcmp(cross, "off") == 0)
		return 0;
	const char *comma = strchr(cross, ',');
	if (!comma || comma - cross >= (long)sizeof c->fast ||
	    strlen(comma + 1) >= sizeof c->slow) {
		snprintf(err, errsize, "cross must be FAST,SLOW, e.g. sma_5,sma_20");
		return -1;
	}
	snprintf(c->fast, sizeof c->fast, "%.*s", (int)(comma - cross), cross);
	snprintf(c->slow, sizeof c->slow, "%s", comma + 1);
	c->fast_i = member_index(c->fast, c);
	c->slow_i = member_index(c->slow, c);
	if (c->fast_i < 0 || c->slow_i < 0) {
		snprintf(err, errsize, "cross members must be sma_N or ema_N of a configured period");
		return -1;
	}
	return 0;
}

int vs_ind_conf_parse(struct vs_ind_conf *c, const char *periods, long vol_n, const char *cross,
                      char *err, size_t errsize)
{
	char buf[128], *save = NULL;
	memset(c, 0, sizeof *c);
	snprintf(buf, sizeof buf, "%s", periods);
	for (char *t = strtok_r(buf, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
		char *end;
		long n = strtol(t, &end, 10);
		if (*end || n < 1 || n >= VS_IND_HIST || c->nper == VS_MAX_PERIODS) {
			snprintf(err, errsize, "periods: up to %d numbers in 1..%d", VS_MAX_PERIODS,
			         VS_IND_HIST - 1);
			return -1;
		}
		snprintf(c->sma_name[c->nper], sizeof c->sma_name[0], "sma_%ld", n);
		snprintf(c->ema_name[c->nper], sizeof c->ema_name[0], "ema_%ld", n);
		c->periods[c->nper++] = (int)n;
	}
	if (vol_n < 0 || vol_n >= VS_IND_HIST - 1) {
		snprintf(err, errsize, "volatility bars must be in 0..%d", VS_IND_HIST - 2);
		return -1;
	}
	c->vol_n = (int)vol_n;
	c->cap = 1;
	for (int i = 0; i < c->nper; i++)
		if (c->periods[i] > c->cap)
			c->cap = c->periods[i];
	c->ring = c->cap + (c->vol_n >= 2 ? c->vol_n : 0);
	return parse_cross(c, cross, err, errsize);
}

void vs_ind_init(const struct vs_ind_conf *c, struct vs_ind *s, double *ring)
{
	s->hist = ring;
	s->cap = c->cap;
	s->rets = ring + c->cap;
	s->nrets = c->vol_n >= 2 ? c->vol_n : 0;
	vs_ind_reset(s);
}

void vs_ind_reset(struct vs_ind *s)
{
	s->count = 0;
	s->prev_fast = s->prev_slow = NAN;
}

/* The i-th latest pushed close (0: newest). */
static double back(const struct vs_ind *s, int i)
{
	return s->hist[(s->count - 1 - i) % s->cap];
}

/* Mean of close and the n-1 latest pushed closes. */
static double sma_with(const struct vs_ind *s, int n, double close)
{
	double sum = close;
	for (int i = 0; i < n - 1; i++)
		sum += back(s, i);
	return sum / n;
}

static double ema_with(const struct vs_ind *s, int k, int n, double close)
{
	if (s->count + 1 == n)
		return sma_with(s, n, close);
	double a = 2.0 / (n + 1);
	return a * close + (1 - a) * s->ema[k];
}

/* Sample standard deviation of the v latest returns, ret (the new close's)
 * first; the others were kept when their closes were pushed. */
static double volatility_with(const struct vs_ind *s, int v, double ret)
{
	double r[VS_IND_HIST], mean = 0, ss = 0;
	r[0] = ret;
	for (int i = 1; i < v; i++)
		r[i] = s->rets[(s->count - 1 - i) % s->nrets];
	for (int i = 0; i < v; i++)
		mean += r[i];
	mean /= v;
	for (int i = 0; i < v; i++)
		ss += (r[i] - mean) * (r[i] - mean);
	return sqrt(ss / (v - 1));
}

static const char *cross_of(const struct vs_ind *s, double fast, double slow)
{
	if (isnan(fast) || isnan(slow) || isnan(s->prev_fast) || isnan(s->prev_slow))
		return "";
	if (s->prev_fast <= s->prev_slow && fast > slow)
		return "golden";
	if (s->prev_fast >= s->prev_slow && fast < slow)
		return "dead";
	return "";
}

void vs_ind_eval(const struct vs_ind_conf *c, const struct vs_ind *s, double close,
                 struct vs_ind_vals *v)
{
	for (int k = 0; k < c->nper; k++) {
		int n = c->periods[k], ready = s->count + 1 >= n;
		v->ma[k] = ready ? sma_with(s, n, close) : NAN;
		v->ma[VS_MAX_PERIODS + k] = ready ? ema_with(s, k, n, close) : NAN;
	}
	v->ret = s->nrets && s->count >= 1 ? log(close / back(s, 0)) : NAN;
	v->vol = s->nrets && s->count >= c->vol_n ? volatility_with(s, c->vol_n, v->ret) : NAN;
	v->cross = c->fast[0] ? cross_of(s, v->ma[c->fast_i], v->ma[c->slow_i]) : "";
}

void vs_ind_to_bar(const struct vs_ind_conf *c, const struct vs_ind_vals *v, struct bar *b)
{
	for (int k = 0; k < c->nper; k++) {
		if (isnan(v->ma[k]))
			continue;
		bar_add_ind(b, c->sma_name[k], v->ma[k]);
		bar_add_ind(b, c->ema_name[k], v->ma[VS_MAX_PERIODS + k]);
	}
	if (!isnan(v->vol))
		bar_add_ind(b, "volatility", v->vol);
	if (v->cross[0])
		memcpy(b->cross, v->cross, strlen(v->cross) + 1);
}

void vs_ind_push(const struct vs_ind_conf *c, struct vs_ind *s, double close,
                 const struct vs_ind_vals *v)
{
	for (int k = 0; k < c->nper; k++)
		if (s->count + 1 >= c->periods[k])
			s->ema[k] = v->ma[VS_MAX_PERIODS + k];
	if (c->fast[0]) {
		s->prev_fast = v->ma[c->fast_i];
		s->prev_slow = v->ma[c->slow_i];
	}
	if (s->nrets && s->count >= 1)
		s->rets[(s->count - 1) % s->nrets] = v->ret;
	s->hist[s->count % s->cap] = close;
	s->count++;
}

void vs_daily_insert(struct vs_daily_hist *h, int32_t day, double close)
{
	int i = 0;
	while (i < h->n && h->day[i] < day)
		i++;
	if (i < h->n && h->day[i] == day)
		return;
	if (h->n == VS_DAILY_KEEP) {
		if (i == 0)
			return; /* older than everything kept */
		memmove(h->day, h->day + 1, (size_t)(i - 1) * sizeof h->day[0]);
		memmove(h->close, h->close + 1, (size_t)(i - 1) * sizeof h->close[0]);
		i--;
		h->n--;
	} else {
		memmove(h->day + i + 1, h->day + i, (size_t)(h->n - i) * sizeof h->day[0]);
		memmove(h->close + i + 1, h->close + i, (size_t)(h->n - i) * sizeof h->close[0]);
	}
	h->day[i] = day;
	h->close[i] = close;
	h->n++;
}

double vs_daily_ma7(const struct vs_daily_hist *h, int32_t day, double close)
{
	int last = h->n - 1;
	while (last >= 0 && h->day[last] >= day)
		last--;
	if (last + 1 < VS_DAILY_KEEP - 1)
		return NAN;
	double sum = close;
	for (int i = 0; i < VS_DAILY_KEEP - 1; i++)
		sum += h->close[last - i];
	return sum / VS_DAILY_KEEP;
}
