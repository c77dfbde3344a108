#include "jsonw.h"
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

static void put_escaped(struct jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	putc1(w, '"');
	size_t run = 0; /* copy unescaped stretches in one go */
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, s + run, i - run);
		run = i + 1;
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
			continue;
		}
		put(w, esc, 2);
	}
	put(w, s + run, n - run);
	putc1(w, '"');
}

static void member(struct jw *w, const char *key)
{
	if (!w->first)
		putc1(w, ',');
	w->first = 0;
	if (key) {
		put_escaped(w, key, strlen(key));
		putc1(w, ':');
	}
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
	put_escaped(w, val, n);
}

void jw_int(struct jw *w, const char *key, int64_t v)
{
	char tmp[NUMFMT_MAX];
	member(w, key);
	put(w, tmp, (size_t)numfmt_int(v, tmp));
}

void jw_num(struct jw *w, const char *key, double v)
{
	char tmp[NUMFMT_MAX];
	member(w, key);
	put(w, tmp, (size_t)numfmt_double(v, tmp));
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
