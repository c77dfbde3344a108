/* tickfast — one-pass decoder for tick_encode's layout. See tickfast.h.
 *
 * The scanner is deliberately narrow: it accepts only what tick_encode
 * writes, and only values tick_validate accepts, so a "yes" from the fast
 * path always equals tick_decode's answer and every "no" is settled by
 * tick_decode itself. */
#include "tickfast.h"
#include "jsonplain.h"
#include "msgutil.h"
#include "numfmt.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct scan {
	const char *p, *end;
};

/* Matches a literal (a key with its quotes and colon, or punctuation). */
static int lit(struct scan *s, const char *text, size_t n)
{
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, text, n) != 0)
		return -1;
	s->p += n;
	return 0;
}
#define LIT(s, text) lit((s), (text), sizeof(text) - 1)

/* A string without escapes or control bytes, copied into out (NUL-ended). */
static int str(struct scan *s, char *out, size_t size)
{
	if (s->p >= s->end || *s->p != '"')
		return -1;
	const char *b = ++s->p;
	s->p += json_plain_len(s->p, (size_t)(s->end - s->p));
	size_t n = (size_t)(s->p - b);
	if (s->p >= s->end || *s->p != '"' || n >= size)
		return -1;
	memcpy(out, b, n);
	out[n] = '\0';
	s->p++;
	return 0;
}

/* A non-negative JSON number in strict grammar: 0|[1-9][0-9]* (.[0-9]+)?
 * ([eE][+-]?[0-9]+)?. Short integers are converted exactly by hand; the rest
 * goes through strtod, as cJSON does, so the double is the same. */
static int num(struct scan *s, double *out, int integer_only)
{
	const char *b = s->p, *q = s->p, *e = s->end;
	uint64_t v = 0;
	int digits, plain = 1;
	if (q >= e || *q < '0' || *q > '9')
		return -1;
	if (*q == '0' && q + 1 < e && q[1] >= '0' && q[1] <= '9')
		return -1; /* leading zero: not JSON */
	for (unsigned d; q < e && (d = (unsigned)(unsigned char)*q - '0') < 10; q++)
		v = v * 10 + d;
	digits = (int)(q - b);
	if (q < e && *q == '.') {
		plain = 0, q++;
		if (q >= e || *q < '0' || *q > '9')
			return -1;
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		plain = 0, q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		if (q >= e || *q < '0' || *q > '9')
			return -1;
		while (q < e && *q >= '0' && *q <= '9')
			q++;
	}
	if (q >= e || (*q != ',' && *q != '}'))
		return -1;
	if (plain && digits <= 15) {
		*out = (double)v;
	} else {
		char buf[40];
		size_t n = (size_t)(q - b);
		if (integer_only || n >= sizeof buf)
			return -1;
		if (numfmt_parse(b, n, out) != 0) { /* an exponent, or > 19 digits */
			memcpy(buf, b, n);
			buf[n] = '\0';
			*out = strtod(buf, NULL);
			if (!isfinite(*out))
				return -1;
		}
	}
	s->p = q;
	return 0;
}

static int int64_field(struct scan *s, int64_t *out)
{
	double d;
	if (num(s, &d, 1))
		return -1;
	*out = (int64_t)d;
	return 0;
}

static int optional_members(struct scan *s, struct tick *t)
{
	if (LIT(s, ",\"cum_volume\":") == 0 && num(s, &t->cum_volume, 0))
		return -1;
	if (LIT(s, ",\"cum_turnover\":") == 0 && num(s, &t->cum_turnover, 0))
		return -1;
	if (LIT(s, ",\"feed_vwap\":") == 0 && num(s, &t->feed_vwap, 0))
		return -1;
	if (LIT(s, ",\"side\":") == 0) {
		if (str(s, t->side, sizeof t->side))
			return -1;
		if (t->side[0] && strcmp(t->side, "buy") && strcmp(t->side, "sell"))
			return -1;
	}
	if (LIT(s, ",\"recv_ts\":") == 0 && int64_field(s, &t->recv_ts))
		return -1;
	return 0;
}

int tickfast_try(const char *json, size_t len, struct tick *t)
{
	struct scan s = {json, json + len};
	tick_clear(t);
	if (LIT(&s, "{\"v\":1,\"id\":") || str(&s, t->id, sizeof t->id) ||
	    LIT(&s, ",\"source\":") || str(&s, t->source, sizeof t->source) ||
	    LIT(&s, ",\"symbol\":") || str(&s, t->symbol, sizeof t->symbol) ||
	    LIT(&s, ",\"exchange\":") || str(&s, t->exchange, sizeof t->exchange) ||
	    LIT(&s, ",\"ts\":") || int64_field(&s, &t->ts) || LIT(&s, ",\"day\":") ||
	    str(&s, t->day, sizeof t->day) || LIT(&s, ",\"price\":") || num(&s, &t->price, 0) ||
	    LIT(&s, ",\"qty\":") || num(&s, &t->qty, 0) || optional_members(&s, t) ||
	    LIT(&s, "}") || s.p != s.end)
		return -1;
	/* tick_validate's rules; a violation is left to tick_decode for its reason. */
	if (!t->id[0] || !t->source[0] || !t->symbol[0] || !t->exchange[0] || !msg_is_day(t->day) ||
	    t->ts <= 0 || !(t->price > 0))
		return -1;
	return 0;
}

int tickfast_decode(const char *json, size_t len, struct tick *t, char *reason, size_t rsize)
{
	if (tickfast_try(json, len, t) == 0)
		return 0;
	return tick_decode(json, len, t, reason, rsize);
}
