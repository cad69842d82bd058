#include "term_guard.h"
