/* notify — SMTP and webhook senders on libcurl; see notify.h. */
#include "notify.h"

#include "b64.h"
#include "jsonw.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOTIFY_MAX_RCPT 32

static pthread_once_t once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static void set_err(char *err, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t n, const char *fmt, ...)
{
	if (!err || !n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, n, fmt, ap);
	va_end(ap);
}

int notify_split_addresses(const char *to_csv, char out[][256], int max)
{
	int n = 0;
	const char *p = to_csv ? to_csv : "";
	while (*p && n < max) {
		while (*p == ' ' || *p == ',' || *p == ';' || *p == '\t')
			p++;
		const char *s = p;
		while (*p && *p != ',' && *p != ';')
			p++;
		const char *e = p;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		size_t len = (size_t)(e - s);
		if (len == 0 || len > 255 || memchr(s, '\r', len) || memchr(s, '\n', len) ||
		    memchr(s, '<', len) || memchr(s, '>', len))
			continue;
		memcpy(out[n], s, len);
		out[n][len] = 0;
		n++;
	}
	return n;
}

/* A Subject header value: ASCII as is, anything else as one RFC 2047
 * encoded-word; CR/LF never survive. */
static void subject_header(const char *subject, char *out, size_t size)
{
	char clean[512];
	size_t n = 0;
	int ascii = 1;
	for (const char *p = subject ? subject : ""; *p && n + 1 < sizeof clean; p++) {
		unsigned char ch = (unsigned char)*p;
		clean[n++] = (ch == '\r' || ch == '\n') ? ' ' : (char)ch;
		if (ch >= 0x80)
			ascii = 0;
	}
	clean[n] = 0;
	if (ascii) {
		snprintf(out, size, "%s", clean);
		return;
	}
	char enc[700];
	b64_encode((const unsigned char *)clean, n, enc);
	snprintf(out, size, "=?UTF-8?B?%s?=", enc);
}

/* Appends body to the buffer with every line ending as CRLF. */
static size_t copy_crlf(char *dst, const char *src)
{
	size_t n = 0;
	for (const char *p = src; *p; p++) {
		if (*p == '\r')
			continue;
		if (*p == '\n')
			dst[n++] = '\r';
		dst[n++] = *p;
	}
	return n;
}

char *notify_build_message(const char *from, const char *to_csv, const char *subject,
                           const char *body)
{
	char subj[1024], date[64];
	subject_header(subject, subj, sizeof subj);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	char to[2048] = "";
	char addr[NOTIFY_MAX_RCPT][256];
	int na = notify_split_addresses(to_csv, addr, NOTIFY_MAX_RCPT);
	for (int i = 0; i < na; i++) {
		size_t l = strlen(to);
		snprintf(to + l, sizeof to - l, "%s%s", i ? ", " : "", addr[i]);
	}
	size_t blen = body ? strlen(body) : 0;
	size_t cap = 1024 + strlen(subj) + strlen(to) + 2 * blen + strlen(from ? from : "");
	char *msg = malloc(cap);
	if (!msg)
		return NULL;
	int h = snprintf(msg, cap,
	                 "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\n"
	                 "Message-ID: <%lld.%ld@tickpipe>\r\nMIME-Version: 1.0\r\n"
	                 "Content-Type: text/plain; charset=UTF-8\r\n"
	                 "Content-Transfer-Encoding: 8bit\r\n\r\n",
	                 date, from ? from : "", to, subj, (long long)now, (long)random());
	size_t n = (size_t)h + copy_crlf(msg + h, body ? body : "");
	if (n < 2 || msg[n - 1] != '\n') {
		msg[n++] = '\r';
		msg[n++] = '\n';
	}
	msg[n] = 0;
	return msg;
}

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t room = size * nmemb, left = u->len - u->pos;
	size_t n = left < room ? left : room;
	memcpy(ptr, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* SMTP reply classes: 4xx transient, 5xx permanent; no reply: transport. */
static int classify_smtp(CURLcode rc, long code)
{
	if (code >= 500)
		return NOTIFY_FAIL;
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_URL_MALFORMAT ||
	    rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_USE_SSL_FAILED)
		return NOTIFY_FAIL;
	return NOTIFY_RETRY;
}

static void smtp_options(CURL *h, const struct notify_smtp *cfg)
{
	curl_easy_setopt(h, CURLOPT_URL, cfg->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, cfg->timeout_ms > 0 ? cfg->timeout_ms : 15000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	if (cfg->user && *cfg->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	if (cfg->tls == NOTIFY_TLS_TRY)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	else if (cfg->tls == NOTIFY_TLS_REQUIRED)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (cfg->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, cfg->from);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_cb);
}

int notify_email(const struct notify_smtp *cfg, const char *to_csv, const char *subject,
                 const char *body, char *err, size_t errsize)
{
	char addr[NOTIFY_MAX_RCPT][256];
	int na = notify_split_addresses(to_csv, addr, NOTIFY_MAX_RCPT);
	if (!cfg || !cfg->url || !*cfg->url || !cfg->from || !*cfg->from || na == 0) {
		set_err(err, errsize, "no smtp url, sender or recipient");
		return NOTIFY_FAIL;
	}
	pthread_once(&once, global_init);
	char *msg = notify_build_message(cfg->from, to_csv, subject, body);
	CURL *h = curl_easy_init();
	if (!msg || !h) {
		free(msg);
		if (h)
			curl_easy_cleanup(h);
		set_err(err, errsize, "out of memory");
		return NOTIFY_RETRY;
	}
	struct curl_slist *rcpt = NULL;
	for (int i = 0; i < na; i++)
		rcpt = curl_slist_append(rcpt, addr[i]);
	struct upload u = {msg, strlen(msg), 0};
	smtp_options(h, cfg);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_READDATA, &u);
	curl_easy_setopt(h, CURLOPT_INFILESIZE, (long)u.len);
	CURLcode rc = curl_easy_perform(h);
	long code = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	int out = 0;
	if (rc != CURLE_OK) {
		out = classify_smtp(rc, code);
		set_err(err, errsize, "smtp: %s (reply %ld)", curl_easy_strerror(rc), code);
	}
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	free(msg);
	return out;
}

static size_t discard_cb(char *ptr, size_t size, size_t nmemb, void *ud)
{
	(void)ptr;
	(void)ud;
	return size * nmemb;
}

int notify_webhook(const char *url, const char *json, long timeout_ms, char *err,
                   size_t errsize)
{
	if (!url || !*url || !json) {
		set_err(err, errsize, "no webhook url or payload");
		return NOTIFY_FAIL;
	}
	pthread_once(&once, global_init);
	CURL *h = curl_easy_init();
	if (!h) {
		set_err(err, errsize, "out of memory");
		return NOTIFY_RETRY;
	}
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms : 10000L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(json));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	if (rc != CURLE_OK) {
		/* The URL may hold a token (Slack's do): report the error only. */
		set_err(err, errsize, "webhook: %s", curl_easy_strerror(rc));
		return rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ? NOTIFY_FAIL
		                                                                   : NOTIFY_RETRY;
	}
	if (status >= 200 && status < 300)
		return 0;
	set_err(err, errsize, "webhook: HTTP %ld", status);
	return (status == 429 || status >= 500) ? NOTIFY_RETRY : NOTIFY_FAIL;
}

size_t notify_slack_payload(const char *title, const char *text, char *buf, size_t size)
{
	size_t tl = title ? strlen(title) : 0, xl = text ? strlen(text) : 0;
	char *joined = malloc(tl + xl + 4);
	if (!joined)
		return 0;
	size_t n = 0;
	if (tl) {
		joined[n++] = '*';
		memcpy(joined + n, title, tl);
		n += tl;
		joined[n++] = '*';
		if (xl)
			joined[n++] = '\n';
	}
	memcpy(joined + n, text ? text : "", xl);
	n += xl;
	struct jw w;
	jw_init(&w, buf, size);
	jw_open(&w, NULL);
	jw_strn(&w, "text", joined, n);
	jw_close(&w);
	free(joined);
	return jw_finish(&w);
}
