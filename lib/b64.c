#include "b64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t b64_encoded_len(size_t n) { return (n + 2) / 3 * 4; }

void b64_encode(const unsigned char *src, size_t n, char *dst)
{
	size_t i = 0, j = 0;
	for (; i + 2 < n; i += 3) {
		unsigned v = (unsigned)src[i] << 16 | (unsigned)src[i + 1] << 8 | src[i + 2];
		dst[j++] = alphabet[v >> 18 & 63];
		dst[j++] = alphabet[v >> 12 & 63];
		dst[j++] = alphabet[v >> 6 & 63];
		dst[j++] = alphabet[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)src[i] << 16 | (i + 1 < n ? (unsigned)src[i + 1] << 8 : 0);
		dst[j++] = alphabet[v >> 18 & 63];
		dst[j++] = alphabet[v >> 12 & 63];
		dst[j++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		dst[j++] = '=';
	}
	dst[j] = '\0';
}

static int value_of(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

long b64_decode(const char *src, size_t len, unsigned char *dst)
{
	if (len % 4)
		return -1;
	long out = 0;
	for (size_t i = 0; i < len; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			if (src[i + k] == '=' && i + 4 == len && k >= 2) {
				v[k] = 0;
				pad++;
			} else if (pad || (v[k] = value_of(src[i + k])) < 0) {
				return -1;
			}
		}
		unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 | (unsigned)v[3];
		dst[out++] = (unsigned char)(x >> 16);
		if (pad < 2) dst[out++] = (unsigned char)(x >> 8);
		if (pad < 1) dst[out++] = (unsigned char)x;
	}
	return out;
}
