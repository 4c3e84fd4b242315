/* money.h - amounts of money as int64_t øre, and their display.
 *
 * No floating point touches money. Rounding is explicit and named after the
 * rule that demands it. */
#ifndef STIPEND_MONEY_H
#define STIPEND_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "i18n.h"

/* value * num / den rounded half away from zero, in 128-bit arithmetic so
 * that no intermediate overflows. den must be > 0. */
int64_t money_muldiv_round(int64_t value, int64_t num, int64_t den);

/* value * num / den rounded down (toward minus infinity). */
int64_t money_muldiv_floor(int64_t value, int64_t num, int64_t den);

/* Display an amount for people: "151 690 kr" (nb, thin grouping with a
 * no-break space, øre shown only when not whole) or "NOK 151,690" (en).
 * Writes at most len bytes including the NUL; returns out. */
char *money_format(int64_t ore, enum lang lang, char *out, size_t len);

#endif
