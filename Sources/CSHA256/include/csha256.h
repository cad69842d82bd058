/* SHA-256 block compression with the x86 SHA extensions (SHA-NI), for GraphModels.SHA256.
 *
 * Swift has no portable way to reach these instructions, so the kernel lives here. Functions
 * carry their own target attributes: the package needs no special compiler flags, and the code
 * only runs after csha256_has_ni() said the CPU can. Other architectures get stubs. */
#ifndef TACK_CSHA256_H
#define TACK_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/* 1 when this CPU has SHA-NI, SSSE3 and SSE4.1 (checked once), else 0. */
int csha256_has_ni(void);

/* Compresses `blocks` 64-byte blocks at `data` into `state` (a..h, host order). Only call when
 * csha256_has_ni() returned 1. */
void csha256_blocks_ni(uint32_t state[8], const uint8_t *data, size_t blocks);

#endif
