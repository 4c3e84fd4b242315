/* stop.h - waiting for SIGINT or SIGTERM in a long-running command.
 *
 * A signal sent to the process goes to any one of its threads that does not
 * block it. With a handler that sets a flag and pause() in the main thread,
 * a signal taken by another thread (the store's writer, a job runner, an
 * HTTP worker) set the flag but never woke main, which then paused for ever:
 * a server that would not stop. Here the two signals are blocked in the
 * calling thread before it starts any other (threads inherit the mask), and
 * the main thread takes them with sigwait(). */
#ifndef STIPEND_CORE_STOP_H
#define STIPEND_CORE_STOP_H

/* Block SIGINT and SIGTERM in the calling thread, and so in every thread it
 * starts afterwards. Call first, before any thread is started. 0, or -1. */
int stop_signals_block(void);

/* Wait until SIGINT or SIGTERM arrives (blocked by stop_signals_block());
 * returns the signal's number. */
int stop_signals_wait(void);

#endif
