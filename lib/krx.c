/* krx — KRX tick sizes and daily price limits; see krx.h for the rules. */
#include "krx.h"

#include <stdint.h>

int64_t krx_tick_size(int64_t price)
{
	if (price < 2000)
		return 1;
	if (price < 5000)
		return 5;
	if (price < 20000)
		return 10;
	if (price < 50000)
		return 50;
	if (price < 200000)
		return 100;
	if (price < 500000)
		return 500;
	return 1000;
}

int64_t krx_round_down(int64_t price)
{
	if (price <= 0)
		return price;
	int64_t t = krx_tick_size(price);
	return price - price % t;
}

int64_t krx_round_up(int64_t price)
{
	if (price <= 0)
		return price;
	int64_t t = krx_tick_size(price);
	int64_t r = price % t;
	if (r == 0)
		return price;
	/* Rounding up may cross into a coarser band (19,995 → 20,000): the
	 * result is a multiple of both ticks because each tick divides the next. */
	return price + (t - r);
}

int krx_on_tick(int64_t price)
{
	return price > 0 && price % krx_tick_size(price) == 0;
}

int krx_price_limits(int64_t base, int pct, int64_t *upper, int64_t *lower)
{
	/* Beyond any real price, base * pct and base + width would overflow. */
	if (base <= 0 || base > INT64_MAX / 200 || pct < 1 || pct > 100)
		return -1;
	int64_t width = base * pct / 100;      /* floor: whole won */
	width -= width % krx_tick_size(base);  /* down to the base price's tick */
	int64_t up = krx_round_down(base + width);
	int64_t lo = krx_round_down(base - width);
	if (lo < 1)
		lo = 1;
	*upper = up;
	*lower = lo;
	return 0;
}
