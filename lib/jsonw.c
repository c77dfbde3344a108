#include "jsonw.h"
#include "jsonplain.h"
#include "numfmt.h"

#include <string.h>

void jw_init(struct jw *w, char *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = cap == 0;
	w->first = 1;
}

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->len + n >= w->cap) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc1(struct jw *w, char c)
{
	if (w->len + 1 >= w->cap) {
		w->overflow = 1;
		return;
	}
	w->buf[w->len++] = c;
}

/* One byte JSON cannot carry as it is, escaped. */
static void put_escape(struct jw *w, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = {'\\', 0};
	switch (c) {
	case '"': esc[1] = '"'; break;
	case '\\': esc[1] = '\\'; break;
	case '\n': esc[1] = 'n'; break;
	case '\r': esc[1] = 'r'; break;
	case '\t': esc[1] = 't'; break;
	default:
		memcpy(esc, "\\u00", 4);
		esc[4] = hex[c >> 4];
		esc[5] = hex[c & 15];
		put(w, esc, 6);
		return;
	}
	put(w, esc, 2);
}

/* The general case: unescaped stretches copied in one go, the rest escaped.
 * run is the length of the first stretch, which the caller has measured. */
static void put_escaped_slow(struct jw *w, const char *s, size_t n, size_t run)
{
	putc1(w, '"');
	for (size_t i = 0;;) {
		put(w, s + i, run);
		if ((i += run) >= n)
			break;
		put_escape(w, (unsigned char)s[i++]);
		run = json_plain_len(s + i, n - i);
	}
	putc1(w, '"');
}

/* "s" followed by tail (0-2 bytes: the key's colon). Keys and most values
 * need no escapes: they are checked once and copied with their quotes in
 * one step (the per-byte path was a third of the cost of encoding a bar). */
static void put_string(struct jw *w, const char *s, size_t n, const char *tail, size_t tn)
{
	size_t plain = json_plain_len(s, n);
	if (plain < n || w->len + n + 2 + tn >= w->cap) {
		put_escaped_slow(w, s, n, plain);
		put(w, tail, tn);
		return;
	}
	char *p = w->buf + w->len;
	p[0] = '"';
	memcpy(p + 1, s, n);
	p[n + 1] = '"';
	memcpy(p + n + 2, tail, tn);
	w->len += n + 2 + tn;
}

static void member(struct jw *w, const char *key)
{
	if (!w->first)
		putc1(w, ',');
	w->first = 0;
	if (key)
		put_string(w, key, strlen(key), ":", 1);
}

/* The separator and a compile-time key in one copy. */
static void kmember(struct jw *w, struct jw_key k)
{
	if (w->len + k.len + 1 >= w->cap) {
		w->overflow = 1;
		return;
	}
	if (!w->first)
		w->buf[w->len++] = ',';
	w->first = 0;
	memcpy(w->buf + w->len, k.text, k.len);
	w->len += k.len;
}

void jw_open(struct jw *w, const char *key)
{
	if (key || w->len)
		member(w, key);
	putc1(w, '{');
	w->first = 1;
}

void jw_close(struct jw *w)
{
	putc1(w, '}');
	w->first = 0;
}

void jw_str(struct jw *w, const char *key, const char *val) { jw_strn(w, key, val, strlen(val)); }

void jw_strn(struct jw *w, const char *key, const char *val, size_t n)
{
	member(w, key);
	put_string(w, val, n, "", 0);
}

/* Numbers are printed straight into the buffer when it has room for any. */
static void put_int(struct jw *w, int64_t v)
{
	char tmp[NUMFMT_MAX];
	if (w->len + NUMFMT_MAX < w->cap)
		w->len += (size_t)numfmt_int(v, w->buf + w->len);
	else
		put(w, tmp, (size_t)numfmt_int(v, tmp));
}

static void put_double(struct jw *w, double v)
{
	char tmp[NUMFMT_MAX];
	if (w->len + NUMFMT_MAX < w->cap)
		w->len += (size_t)numfmt_double(v, w->buf + w->len);
	else
		put(w, tmp, (size_t)numfmt_double(v, tmp));
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	member(w, key);
	put_int(w, v);
}

void jw_num(struct jw *w, const char *key, double v)
{
	member(w, key);
	put_double(w, v);
}

void jw_kstr(struct jw *w, struct jw_key k, const char *val)
{
	kmember(w, k);
	put_string(w, val, strlen(val), "", 0);
}

void jw_kint(struct jw *w, struct jw_key k, int64_t v)
{
	kmember(w, k);
	put_int(w, v);
}

void jw_knum(struct jw *w, struct jw_key k, double v)
{
	kmember(w, k);
	put_double(w, v);
}

void jw_kbool(struct jw *w, struct jw_key k, int v)
{
	kmember(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_bool(struct jw *w, const char *key, int v)
{
	member(w, key);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w, const char *key)
{
	member(w, key);
	put(w, "null", 4);
}

void jw_raw(struct jw *w, const char *key, const char *json, size_t n)
{
	member(w, key);
	put(w, json, n);
}

size_t jw_finish(struct jw *w)
{
	if (w->overflow || w->len >= w->cap) {
		if (w->cap)
			w->buf[0] = '\0';
		return 0;
	}
	w->buf[w->len] = '\0';
	return w->len;
}
