/* shard — credentials and symbol spreading. See shard.h. */
#include "shard.h"
#include "log.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int valid_code(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != ':' && *s != '-')
			return 0;
	return 1;
}

int col_parse_symbols(const char *text, char (**out)[16], char *err, size_t errsize)
{
	int n = 0, cap = 64;
	char(*v)[16] = malloc(sizeof *v * (size_t)cap);
	char *copy = strdup(text ? text : ""), *save = NULL;
	for (char *line = copy; line; line = save) { /* drop comments line by line */
		save = strchr(line, '\n');
		if (save)
			*save++ = 0;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *tsave = NULL;
		for (char *t = strtok_r(line, ", \t\r", &tsave); t; t = strtok_r(NULL, ", \t\r", &tsave)) {
			if (strlen(t) >= 16 || !valid_code(t)) {
				snprintf(err, errsize, "bad symbol \"%.20s\"", t);
				goto fail;
			}
			for (int i = 0; i < n; i++)
				if (!strcmp(v[i], t)) {
					snprintf(err, errsize, "symbol %s listed twice", t);
					goto fail;
				}
			if (n == cap)
				v = realloc(v, sizeof *v * (size_t)(cap *= 2));
			snprintf(v[n++], 16, "%s", t);
		}
	}
	free(copy);
	*out = v;
	return n;
fail:
	free(copy);
	free(v);
	return -1;
}

void col_free_creds(struct col_cred *c, int n)
{
	for (int i = 0; c && i < n; i++) {
		if (c[i].secret)
			memset(c[i].secret, 0, strlen(c[i].secret));
		free(c[i].appkey);
		free(c[i].secret);
	}
	free(c);
}

int col_parse_creds(const char *text, struct col_cred **out, char *err, size_t errsize)
{
	int n = 0, lineno = 0;
	struct col_cred *v = NULL;
	char *copy = strdup(text), *save = NULL;
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (isspace((unsigned char)*l))
			l++;
		size_t len = strlen(l);
		while (len && isspace((unsigned char)l[len - 1]))
			l[--len] = 0;
		if (!*l || *l == '#')
			continue;
		char *colon = strchr(l, ':');
		if (!colon || colon == l || !colon[1]) {
			snprintf(err, errsize, "credentials line %d: expected appkey:secret", lineno);
			memset(copy, 0, strlen(text));
			free(copy);
			col_free_creds(v, n);
			return -1;
		}
		*colon = 0;
		v = realloc(v, sizeof *v * (size_t)(n + 1));
		v[n].appkey = strdup(l);
		v[n].secret = strdup(colon + 1);
		log_add_secret(v[n].secret);
		n++;
	}
	/* The log filter holds a limited number of values: secrets first. */
	for (int i = 0; i < n; i++)
		log_add_secret(v[i].appkey);
	memset(copy, 0, strlen(text));
	free(copy);
	*out = v;
	return n;
}

int col_shard_filter(char (*sym)[16], int n, int index, int count)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (i % count == index)
			memmove(sym[k++], sym[i], 16);
	return k;
}

int col_shard_plan(int nsym, int nsess, int max_subs, int *per_sess, char *err, size_t errsize)
{
	if (nsess <= 0) {
		snprintf(err, errsize, "%d KIS symbols but no credentials", nsym);
		return -1;
	}
	int per = (nsym + nsess - 1) / nsess;
	if (per > max_subs) {
		int need = (nsym + max_subs - 1) / max_subs;
		snprintf(err, errsize,
		         "%d KIS symbols do not fit: %d registrations per appkey allow %d with %d "
		         "appkey(s); give %d appkeys (--kis-credentials) or fewer symbols",
		         nsym, max_subs, max_subs * nsess, nsess, need);
		return -1;
	}
	*per_sess = per;
	return 0;
}
