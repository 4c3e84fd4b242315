/* nin.h - Norwegian national identity numbers (fødselsnummer), D-numbers
 * and synthetic test numbers.
 *
 * Eleven digits: date of birth (DDMMYY), an individual number of three
 * digits whose range gives the century, and two mod-11 check digits. A
 * D-number adds 40 to the day; a synthetic test number (Skatteetaten's
 * Tenor, used by ID-porten's TestID) adds 80 to the month. */
#ifndef STIPEND_NIN_H
#define STIPEND_NIN_H

#include "date.h"

enum nin_kind { NIN_ORDINARY, NIN_D_NUMBER, NIN_SYNTHETIC };

/* Check s. Returns 0 and fills birth and kind (either may be NULL) when s is
 * a valid number, -1 otherwise. */
int nin_parse(const char *s, date_t *birth, enum nin_kind *kind);

/* Build a valid number for a birth date and an individual number (0..999),
 * synthetic when `synthetic` is set. Returns 0, or -1 when no check digits
 * exist for that individual number (about one in five) or the individual
 * number does not fit the birth year's century. out holds 12 bytes. */
int nin_make(date_t birth, int individual, int synthetic, char out[12]);

#endif
