/* http — a keep-alive libcurl client. See http.h. */
#include "http.h"
#include "log.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct http_client {
	CURL *curl;
	char *base;
	struct curl_slist *auth_header;
	char *buf;
	size_t len, cap;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static void global_init(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t on_body(char *data, size_t size, size_t n, void *opaque)
{
	struct http_client *c = opaque;
	size_t add = size * n;
	if (c->len + add + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		while (cap < c->len + add + 1)
			cap *= 2;
		char *nb = realloc(c->buf, cap);
		if (!nb)
			return 0; /* curl reports a write error */
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, data, add);
	c->len += add;
	c->buf[c->len] = '\0';
	return add;
}

static int setup_auth(struct http_client *c, const struct http_opts *o)
{
	if (o->api_key && *o->api_key) {
		size_t n = strlen(o->api_key) + 32;
		char *h = malloc(n);
		if (!h)
			return -1;
		snprintf(h, n, "Authorization: ApiKey %s", o->api_key);
		c->auth_header = curl_slist_append(NULL, h);
		free(h);
		log_add_secret(o->api_key);
	} else if (o->user && *o->user) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, o->user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD, o->password ? o->password : "");
		log_add_secret(o->password);
	}
	return 0;
}

struct http_client *http_client_new(const struct http_opts *o, char *err, size_t errsize)
{
	pthread_once(&global_once, global_init);
	struct http_client *c = calloc(1, sizeof *c);
	if (!c || !(c->curl = curl_easy_init()) || !o->base_url) {
		snprintf(err, errsize, "cannot create an HTTP client%s", o->base_url ? "" : ": no URL");
		http_client_free(c);
		return NULL;
	}
	c->base = strdup(o->base_url);
	size_t bl = strlen(c->base);
	while (bl && c->base[bl - 1] == '/')
		c->base[--bl] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, o->timeout_ms > 0 ? o->timeout_ms : 30000L);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(c->curl, CURLOPT_ACCEPT_ENCODING, "");
	if (o->ca_file && *o->ca_file)
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, o->ca_file);
	if (o->insecure) {
		log_warn("tls_verification_disabled", "url=%s", c->base);
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (setup_auth(c, o)) {
		snprintf(err, errsize, "out of memory");
		http_client_free(c);
		return NULL;
	}
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	curl_slist_free_all(c->auth_header);
	free(c->base);
	free(c->buf);
	free(c);
}

long http_request(struct http_client *c, const char *method, const char *path,
                  const char *content_type, const char *body, size_t len,
                  struct http_resp *resp)
{
	size_t ul = strlen(c->base) + strlen(path) + 2;
	char *url = malloc(ul);
	snprintf(url, ul, "%s%s%s", c->base, path[0] == '/' ? "" : "/", path);
	struct curl_slist *h = NULL;
	for (struct curl_slist *a = c->auth_header; a; a = a->next)
		h = curl_slist_append(h, a->data);
	char ct[128];
	snprintf(ct, sizeof ct, "Content-Type: %s", content_type ? content_type : "application/json");
	if (body)
		h = curl_slist_append(h, ct);
	c->len = 0;
	if (c->buf)
		c->buf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url);
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L); /* clears a previous request's body */
	}
	curl_easy_setopt(c->curl, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	CURLcode rc = curl_easy_perform(c->curl);
	curl_slist_free_all(h);
	free(url);
	memset(resp, 0, sizeof *resp);
	resp->body = c->buf ? c->buf : "";
	resp->len = c->len;
	if (rc != CURLE_OK) {
		snprintf(resp->error, sizeof resp->error, "%s", curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	return resp->status;
}

int http_is_retryable(long status) { return status == 0 || status == 429 || status >= 500; }
