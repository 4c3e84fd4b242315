/* unread.c - the count of a person's unread letters; see unread.h. */
#include "mailbox/unread.h"

#include "core/arena.h"
#include "core/err.h"
#include "store/store.h"

int mbox_unread_count(struct store *s, const struct principal *who, int *count, struct err *e)
{
	struct arena a;
	struct letter *letters;
	int64_t subject = access_subject(who);
	*count = 0;
	if (!access_allowed(who, ACT_LETTER_READ, subject))
		return 1;
	arena_init(&a, 0);
	int n = store_letters_of_person(s, subject, &letters, count, &a, e);
	arena_cleanup(&a);
	return n < 0 ? -1 : 0;
}
