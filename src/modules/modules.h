/*
 * modules.h - the modules secflow is built with: one table of their
 * engine hooks, handed to every engine the CLI and the server make.
 */
#ifndef SF_MODULES_H
#define SF_MODULES_H

#include "engine/engine.h"

/* NULL-terminated. */
const struct module_hooks *const *modules_hooks(void);

#endif
