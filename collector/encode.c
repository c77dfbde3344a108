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

/* Numbers are printed in place when NUMFMT_MAX bytes are left (always, in
 * a TICK_JSON_MAX buffer): a copy per number was a libc call each. */
static void put_i64(struct out *o, int64_t v)
{
	char tmp[NUMFMT_MAX];
	if (!o->overflow && o->end - o->p >= NUMFMT_MAX)
		o->p += numfmt_int(v, o->p);
	else
		put(o, tmp, (size_t)numfmt_int(v, tmp));
}

static void put_num(struct out *o, double v)
{
	char tmp[NUMFMT_MAX];
	if (!o->overflow && o->end - o->p >= NUMFMT_MAX)
		o->p += numfmt_double(v, o->p);
	else
		put(o, tmp, (size_t)numfmt_double(v, tmp));
}

/* A string of struct tick (n bytes of an array of cap): the whole array is
 * copied when it fits, a fixed-size copy once inlined, then n counted. */
static inline void put_member(struct out *o, const char *s, size_t n, size_t cap)
{
	if (!o->overflow && (size_t)(o->end - o->p) >= cap) {
		memcpy(o->p, s, cap);
		o->p += n;
	} else {
		put(o, s, n);
	}
}

#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x

/* 1 for the bytes a JSON string cannot carry as they are: controls, '"',
 * '\\', DEL and everything non-ASCII (left to the library writer). */
static const unsigned char escaped[256] = {
	R16(1), R16(1),
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x22 '"' */
	R16(0), R16(0),
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x5c '\\' */
	R16(0),
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* 0x7f */
	R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1), R16(1)};

/* strlen(s), or (size_t)-1 when s needs escaping: one pass, one load per
 * byte, no branch but the end. */
static size_t plain_len(const char *s)
{
	unsigned char bad = 0;
	size_t n = 0;
	for (; s[n]; n++)
		bad |= escaped[(unsigned char)s[n]];
	return bad ? (size_t)-1 : n;
}

/* cum_volume, cum_turnover, feed_vwap: present when finite. */
static void put_optional(struct out *o, const struct tick *t, const char *vwap_text)
{
	if (isfinite(t->cum_volume)) {
		PUTS(o, ",\"cum_volume\":");
		put_num(o, t->cum_volume);
	}
	if (isfinite(t->cum_turnover)) {
		PUTS(o, ",\"cum_turnover\":");
		put_num(o, t->cum_turnover);
	}
	if (isfinite(t->feed_vwap)) {
		PUTS(o, ",\"feed_vwap\":");
		if (vwap_text && col_is_json_decimal(vwap_text)) /* the value t->feed_vwap was read from */
			put(o, vwap_text, strlen(vwap_text));
		else
			put_num(o, t->feed_vwap);
	}
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

/* Each string's opening quote ends the literal before it, its closing quote
 * starts the next one. */
size_t col_tick_json(const struct tick *t, const char *vwap_text, char *buf, size_t size)
{
	size_t lid = plain_len(t->id), lsrc = plain_len(t->source), lsym = plain_len(t->symbol),
	       lex = plain_len(t->exchange), lday = plain_len(t->day), lside = plain_len(t->side);
	if ((lid | lsrc | lsym | lex | lday | lside) == (size_t)-1)
		return tick_encode(t, buf, size);
	struct out o = {buf, buf + size - 1, 0};
	PUTS(&o, "{\"v\":1,\"id\":\"");
	put_member(&o, t->id, lid, sizeof t->id);
	PUTS(&o, "\",\"source\":\"");
	put_member(&o, t->source, lsrc, sizeof t->source);
	PUTS(&o, "\",\"symbol\":\"");
	put_member(&o, t->symbol, lsym, sizeof t->symbol);
	PUTS(&o, "\",\"exchange\":\"");
	put_member(&o, t->exchange, lex, sizeof t->exchange);
	PUTS(&o, "\",\"ts\":");
	put_i64(&o, t->ts);
	PUTS(&o, ",\"day\":\"");
	put_member(&o, t->day, lday, sizeof t->day);
	PUTS(&o, "\",\"price\":");
	put_num(&o, t->price);
	PUTS(&o, ",\"qty\":");
	put_num(&o, t->qty);
	put_optional(&o, t, vwap_text);
	if (t->side[0]) {
		PUTS(&o, ",\"side\":\"");
		put_member(&o, t->side, lside, sizeof t->side);
		PUTS(&o, "\"");
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
