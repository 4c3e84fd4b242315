/* registers.h - the register simulator: the population register, the tax
 * authority, the schools and the welfare agency over HTTP and JSON, serving
 * the synthetic population of a seed (sim/synth.h), with failure injection
 * for tests and demos, and beside them the test SMS gateway (sim/sms.h).
 * `stipend-sim serve` runs it; unit tests start it in-process. One
 * simulator per process.
 *
 * Like everything in sim/, it stands in for the world outside the agency
 * and is never linked into the stipend binary: the clients stipend runs in
 * production (src/registers/registers.h) speak to it over HTTP only. */
#ifndef STIPEND_SIM_REGISTERS_H
#define STIPEND_SIM_REGISTERS_H

#include <stdint.h>

struct err;

/* Serve the population (persons 0..persons-1 of seed) on host:port with
 * `threads` event loops (libmicrohttpd's thread pool on epoll). port 0 takes
 * a free port. Returns the port listened on, or -1 with e filled (ERR_INVALID
 * for a bad argument, ERR_IO when the address cannot be bound, ERR_CONFLICT
 * when a simulator runs already). */
int sim_listen(const char *host, int port, int64_t persons, uint64_t seed, int threads, struct err *e);

/* sim_listen() on 127.0.0.1 with two threads: for tests. */
int sim_start(int port, int64_t persons, uint64_t seed, struct err *e);

/* Answer what is under way, close the connections, stop. Harmless when no
 * simulator runs. */
void sim_stop(void);

/* Set how a register answers, as POST /_control does: reg "population",
 * "tax", "schools", "welfare" or "all"; mode "ok", "error" (500), "slow"
 * (delay_ms before answering), "malformed" (200 with a body that is not the
 * promised JSON) or "down" (the connection is closed without an answer).
 * reg "sms" sets the test SMS gateway's mode (sim/sms.h).
 * Returns 0, or -1 with ERR_INVALID naming the field. Thread-safe. */
int sim_control(const char *reg, const char *mode, int delay_ms, struct err *e);

#endif
