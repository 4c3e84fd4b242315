/* simulator.h - the register simulator: the population register, the tax
 * authority, the schools and the welfare agency over HTTP and JSON, serving
 * the synthetic population of a seed (registers/synth.h), with failure
 * injection for tests and demos. `stipend registers serve` runs it; tests
 * start it in-process. One simulator per process. */
#ifndef STIPEND_SIMULATOR_H
#define STIPEND_SIMULATOR_H

#include <stdint.h>

struct err;

/* Serve the population (persons 0..persons-1 of seed) on host:port with
 * `threads` event loops (libmicrohttpd's thread pool on epoll). port 0 takes
 * a free port. Returns the port listened on, or -1 with e filled (ERR_INVALID
 * for a bad argument, ERR_IO when the address cannot be bound, ERR_CONFLICT
 * when a simulator runs already). */
int reg_simulator_listen(const char *host, int port, int64_t persons, uint64_t seed, int threads, struct err *e);

/* reg_simulator_listen() on 127.0.0.1 with two threads: for tests. */
int reg_simulator_start(int port, int64_t persons, uint64_t seed, struct err *e);

/* Answer what is under way, close the connections, stop. Harmless when no
 * simulator runs. */
void reg_simulator_stop(void);

/* Set how a register answers, as POST /_control does: reg "population",
 * "tax", "schools", "welfare" or "all"; mode "ok", "error" (500), "slow"
 * (delay_ms before answering), "malformed" (200 with a body that is not the
 * promised JSON) or "down" (the connection is closed without an answer).
 * reg "sms" sets the test SMS gateway's mode (sms_gateway.h).
 * Returns 0, or -1 with ERR_INVALID naming the field. Thread-safe. */
int reg_simulator_control(const char *reg, const char *mode, int delay_ms, struct err *e);

#endif
