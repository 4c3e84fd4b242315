/* tmpl.h - HTML templates that escape every value by construction.
 *
 * A small Mustache subset with translations and filters. Templates are the
 * compiled-in files templates/<name>.html, parsed once by tmpl_init() into a
 * flat node list (a section knows where its body ends) and rendered many
 * times without re-parsing. A value only ever reaches the page through the
 * HTML-escaping writer, unless the template asks for trusted HTML with the
 * triple mustache.
 *
 * The language:
 *
 *   {{name}} {{a.b.c}}   The value at a dotted path, HTML-escaped. The first
 *                        segment is searched in the context stack, innermost
 *                        first; the rest descend objects from where it was
 *                        found. Strings are written as they are, integers in
 *                        decimal, reals with "%g", true as "true"; false,
 *                        null, a missing value, an object or an array write
 *                        nothing. {{.}} is the current context value itself.
 *                        A segment of digits indexes an array: {{#list.0}}
 *                        renders when the list has a first element.
 *   {{{name}}}           The same value unescaped: the one way to write
 *                        trusted HTML, such as a page body our own engine
 *                        rendered earlier. Takes no filter.
 *   {{#name}}..{{/name}} Section. An array renders the body once per element
 *                        with the element pushed on the stack (an empty array
 *                        renders nothing); an object renders it once with the
 *                        object pushed; another truthy value (true, a
 *                        non-empty string, a non-zero number) renders it once
 *                        with the stack unchanged. false, null, missing, ""
 *                        and 0 render nothing.
 *   {{^name}}..{{/name}} Inverted section: the body once when the value is
 *                        falsy as above or an empty array.
 *   {{t:key}}            The catalogue text of key in the render language,
 *                        escaped (i18n_get).
 *   {{t:key @path}}      The catalogue text with its arguments filled from
 *                        the object at path (i18n_render), then escaped.
 *   {{name|money}}       Integer øre shown with money_format(), escaped.
 *   {{name|date}}        An ISO date "2024-08-15" shown as "15.08.2024" (nb)
 *                        or "15 August 2024" (en); a string that is not a
 *                        date is written escaped as it is.
 *   {{name|t}}           The string value is a catalogue key; its text in
 *                        the render language, escaped.
 *                        A filter meeting a value of the wrong type writes
 *                        the value as {{name}} would.
 *   {{> name}}           Include templates/name.html with the current context
 *                        stack; at most 16 partials deep.
 *   {{! comment }}       Nothing.
 *
 * Whitespace is allowed inside tags ({{ name }}); names and keys consist of
 * letters, digits, '_' and '-' (keys and paths also '.'). Text outside tags,
 * including the whitespace around section tags, is copied as it is. An
 * unclosed tag, an unknown tag form or filter, a section closed by another
 * name or left open is a syntax error naming origin:line. */
#ifndef STIPEND_TMPL_H
#define STIPEND_TMPL_H

#include <jansson.h>

#include "core/i18n.h"

struct buf;
struct err;

/* Parse every compiled-in template (embed_files[] entries named
 * "templates/<name>.html") once, and check that every partial a template
 * includes exists. Returns 0, or -1 with e filled: ERR_INVALID naming
 * "templates/x.html:LINE" for a syntax error or a missing partial,
 * ERR_INTERNAL when memory is out; nothing stays loaded then. Call once at
 * start, before threads; calling it again reloads. */
int tmpl_init(struct err *e);

/* Free what tmpl_init built. Harmless when nothing is loaded. */
void tmpl_cleanup(void);

/* Render templates/<name>.html (name without folder and extension, "inbox")
 * with data (a JSON object, or NULL for none) in lang, appending to out.
 * Returns 0, or -1 with e filled: ERR_INTERNAL for an unknown template, a
 * missing partial, partials nested more than 16 deep, or "page too large"
 * when out reaches its maximum. On error out is left as it was. Thread-safe
 * after tmpl_init (the templates are only read). */
int tmpl_render(struct buf *out, const char *name, const json_t *data, enum lang lang, struct err *e);

/* Parse source and render it as tmpl_render does, for tests and one-off
 * use; origin names it in error messages ("origin:LINE"). Partials are looked
 * up among the templates tmpl_init loaded. Returns 0, or -1 with e filled:
 * ERR_INVALID for a syntax error, otherwise as tmpl_render. On error out is
 * left as it was. Thread-safe after tmpl_init. */
int tmpl_render_string(struct buf *out, const char *source, const char *origin, const json_t *data,
		       enum lang lang, struct err *e);

#endif
