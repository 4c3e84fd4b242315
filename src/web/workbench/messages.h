/* messages.h - what the mailbox adds to the workbench's own pages
 * (workbench/messages.c): the conversation and the documents on the case
 * page, and on the queue what became of a case's request for
 * documentation. The mailbox's workbench pages are handlers (handlers.h). */
#ifndef STIPEND_WORKBENCH_MESSAGES_H
#define STIPEND_WORKBENCH_MESSAGES_H

#include <jansson.h>

#include "cases/casework.h"
#include "web/http.h"

/* Add "mailbox" to the workbench case page's data d (case k, examined
 * through cases_examine, which audited it): the case's conversation with
 * who wrote each message, the documents the person sent (links to
 * download them), and what became of the latest request for
 * documentation. */
void wb_mailbox_case(struct req *r, json_t *d, const struct casework_case *k);

/* Add "docs_key" to a queue row (item) of a case that came back to the
 * queue because documentation was received (docs_state "received":
 * "Dokumentasjon mottatt") or its deadline passed ("expired": "Frist
 * utløpt"); docs_state NULL adds nothing. */
void wb_mailbox_queue_mark(json_t *item, const char *docs_state);

#endif
