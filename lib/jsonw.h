/* jsonw — a small JSON writer into a caller's buffer, for the hot paths that
 * emit ticks and bars (building a cJSON tree per message costs ~1 µs).
 * Output is checked against cJSON by the unit tests. On overflow the writer
 * remembers it and jw_finish() returns 0. */
#ifndef TP_JSONW_H
#define TP_JSONW_H

#include <stddef.h>
#include <stdint.h>

struct jw {
	char *buf;
	size_t cap;
	size_t len;
	int overflow;
	int first; /* no comma before the next member */
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_open(struct jw *w, const char *key);  /* "{" or "key":{ */
void jw_close(struct jw *w);                  /* "}" */
void jw_str(struct jw *w, const char *key, const char *val);
void jw_strn(struct jw *w, const char *key, const char *val, size_t n);
void jw_int(struct jw *w, const char *key, int64_t v);
/* Shortest text that reads back as the same double; NaN/inf become null. */
void jw_num(struct jw *w, const char *key, double v);
void jw_bool(struct jw *w, const char *key, int v);
void jw_null(struct jw *w, const char *key);
/* Embeds already-valid JSON text as the member's value. */
void jw_raw(struct jw *w, const char *key, const char *json, size_t n);
/* Keys known when compiling: JW_KEY("open") carries the quoted key and its
 * colon, so writing it is one copy (no length, no escape check per message).
 * The name must be a string literal that needs no JSON escapes. */
struct jw_key {
	const char *text; /* "\"open\":" */
	size_t len;
};
#define JW_KEY(name) ((struct jw_key){"\"" name "\":", sizeof(name) + 2})
void jw_kstr(struct jw *w, struct jw_key k, const char *val);
void jw_kint(struct jw *w, struct jw_key k, int64_t v);
void jw_knum(struct jw *w, struct jw_key k, double v);
void jw_kbool(struct jw *w, struct jw_key k, int v);
/* NUL-terminates; returns the length, or 0 when the buffer was too small. */
size_t jw_finish(struct jw *w);

#endif
