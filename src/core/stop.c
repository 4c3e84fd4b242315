/* stop.c - waiting for SIGINT or SIGTERM; see stop.h. */
#include "core/stop.h"

#include <pthread.h>
#include <signal.h>

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

int stop_signals_block(void)
{
	sigset_t set;
	stop_set(&set);
	return pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 ? 0 : -1;
}

int stop_signals_wait(void)
{
	sigset_t set;
	int sig = 0;
	stop_set(&set);
	while (sigwait(&set, &sig) != 0)
		;
	return sig;
}
