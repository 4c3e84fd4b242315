/* changes.h - corrections to the register simulator's synthetic
 * population, and the event feeds through which the registers announce
 * them (internal to sim/: the simulator's own state).
 *
 * The population is a pure function of (seed, index); a correction is
 * kept beside it and laid over the person when a register answers: a
 * school reporting a changed study load or new credits, the tax authority
 * correcting an assessed income. Each correction appends an event, with a
 * sequence number, to the feed of the register that made it, as the real
 * registers publish changes (the population register's "hendelsesliste"):
 * a consumer reads the feed after the last sequence it has seen and asks
 * again about the persons it names. Thread-safe. */
#ifndef STIPEND_SIM_CHANGES_H
#define STIPEND_SIM_CHANGES_H

#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "sim/synth.h"

struct buf;
struct err;

/* Take a correction (a JSON object; see README "Registers"):
 *   {"nin":..., "change":"enrolment", "load_percent":50}
 *   {"nin":..., "change":"credits", "semester":"2025-spring", "credits":30}
 *   {"nin":..., "change":"income", "year":2023, "income":55000000}
 *   {"nin":..., "change":"death", "date":"2025-03-14"}  (population register)
 * for a person of the population (persons, seed). Returns the event's
 * sequence number (> 0), or -1 with e naming the field at fault. */
int64_t simchg_post(const char *body, size_t len, int64_t persons, uint64_t seed, int64_t now, struct err *e);

/* Lay the corrections of p's index over p (study load, credits). */
void simchg_apply(struct synth_person *p);

/* The corrected income of a person for a year: 1 (and *income set) when
 * corrected, 0 when not. */
int simchg_income(int64_t index, int year, int64_t *income);

/* The date of death the population register holds for a person: 1 (and
 * *died set) when one is recorded, 0 when not. */
int simchg_death(int64_t index, date_t *died);

/* The events of register reg ("tax", "schools", ...) with sequence > after,
 * at most limit, as {"events":[{"sequence","nin","change","at"}],"last":N}
 * where last is the register's newest sequence. Returns 0, -1 when b is
 * full. */
int simchg_events(struct buf *b, const char *reg, int64_t after, int limit);

#endif
