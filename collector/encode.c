/* encode — fast tick JSON. See encode.h. */
#include "encode.h"
#include "numfmt.h"

#include <math.h>
#include <string.h>

struct out {
	char *p, *end;
	int overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || (size_t)(o->end - o->p) < n) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p, s, n);
	o->p += n;
}

#define PUTS(o, lit) put(o, lit, sizeof lit - 1)

static void put_i64(struct out *o, int64_t v)
{
	char tmp[NUMFMT_MAX];
	put(o, tmp, (size_t)numfmt_int(v, tmp));
}

static void put_num(struct out *o, double v)
{
	char tmp[NUMFMT_MAX];
	put(o, tmp, (size_t)numfmt_double(v, tmp));
}

/* Only characters that never need escaping. */
static int plain(const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

static void put_str(struct out *o, const char *s)
{
	PUTS(o, "\"");
	put(o, s, strlen(s));
	PUTS(o, "\"");
}

int col_is_json_decimal(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		if (!(*++s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == 0;
}

size_t col_tick_json(const struct tick *t, const char *vwap_text, char *buf, size_t size)
{
	if (!plain(t->id) || !plain(t->symbol) || !plain(t->source) || !plain(t->exchange) ||
	    !plain(t->day) || !plain(t->side))
		return tick_encode(t, buf, size);
	struct out o = {buf, buf + size - 1, 0};
	PUTS(&o, "{\"v\":1,\"id\":");
	put_str(&o, t->id);
	PUTS(&o, ",\"source\":");
	put_str(&o, t->source);
	PUTS(&o, ",\"symbol\":");
	put_str(&o, t->symbol);
	PUTS(&o, ",\"exchange\":");
	put_str(&o, t->exchange);
	PUTS(&o, ",\"ts\":");
	put_i64(&o, t->ts);
	PUTS(&o, ",\"day\":");
	put_str(&o, t->day);
	PUTS(&o, ",\"price\":");
	put_num(&o, t->price);
	PUTS(&o, ",\"qty\":");
	put_num(&o, t->qty);
	if (isfinite(t->cum_volume)) {
		PUTS(&o, ",\"cum_volume\":");
		put_num(&o, t->cum_volume);
	}
	if (isfinite(t->cum_turnover)) {
		PUTS(&o, ",\"cum_turnover\":");
		put_num(&o, t->cum_turnover);
	}
	if (isfinite(t->feed_vwap)) {
		PUTS(&o, ",\"feed_vwap\":");
		if (vwap_text && col_is_json_decimal(vwap_text)) /* the value t->feed_vwap was read from */
			put(&o, vwap_text, strlen(vwap_text));
		else
			put_num(&o, t->feed_vwap);
	}
	if (t->side[0]) {
		PUTS(&o, ",\"side\":");
		put_str(&o, t->side);
	}
	if (t->recv_ts) {
		PUTS(&o, ",\"recv_ts\":");
		put_i64(&o, t->recv_ts);
	}
	PUTS(&o, "}");
	if (o.overflow) {
		buf[0] = 0;
		return 0;
	}
	*o.p = 0;
	return (size_t)(o.p - buf);
}
