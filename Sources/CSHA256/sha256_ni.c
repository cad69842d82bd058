/* SHA-256 with SHA-NI: the usual public structure (Intel's white paper, Walton/Gulley), written as
 * a loop over the 16 four-round groups so the schedule recurrence is stated once. */
#include "csha256.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

#define CSHA256_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* 0 = not checked yet, 1 = no, 2 = yes; a race only repeats the same check. */
static _Atomic int cached;

int csha256_has_ni(void) {
  int value = cached;
  if (value == 0) {
    __builtin_cpu_init();
    int yes = __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") &&
              __builtin_cpu_supports("ssse3");
    value = yes ? 2 : 1;
    cached = value;
  }
  return value == 2;
}

static const uint32_t k[64] __attribute__((aligned(16))) = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

CSHA256_TARGET
void csha256_blocks_ni(uint32_t state[8], const uint8_t *data, size_t blocks) {
  /* Big-endian message words to host order, within each 32-bit lane. */
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);

  /* sha256rnds2 wants the state as ABEF and CDGH (highest lane first). */
  __m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[0]), 0xB1); /* CDAB */
  __m128i cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&state[4]), 0x1B); /* EFGH */
  __m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);
  cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);

  for (; blocks > 0; blocks--, data += 64) {
    const __m128i abef_in = abef;
    const __m128i cdgh_in = cdgh;
    /* Ring of the last four schedule groups: m[g & 3] holds W[4g .. 4g+3]. */
    __m128i m[4];
    for (int g = 0; g < 4; g++) {
      m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)), bswap);
    }
#pragma clang loop unroll(full)
    for (int g = 0; g < 16; g++) {
      __m128i wk = _mm_add_epi32(m[g & 3], _mm_load_si128((const __m128i *)&k[4 * g]));
      /* Each rnds2 does two rounds, taking W+K from the low two lanes. */
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
      if (g < 12) {
        /* W[4(g+4)..] from groups g..g+3: msg1 adds sigma0, alignr supplies W[t-7], msg2 adds
         * sigma1 (which depends on the new words themselves, hence the separate step). */
        __m128i w7 = _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4);
        __m128i t = _mm_add_epi32(_mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]), w7);
        m[g & 3] = _mm_sha256msg2_epu32(t, m[(g + 3) & 3]);
      }
    }
    abef = _mm_add_epi32(abef, abef_in);
    cdgh = _mm_add_epi32(cdgh, cdgh_in);
  }

  tmp = _mm_shuffle_epi32(abef, 0x1B);                                      /* FEBA */
  cdgh = _mm_shuffle_epi32(cdgh, 0xB1);                                     /* DCHG */
  _mm_storeu_si128((__m128i *)&state[0], _mm_blend_epi16(tmp, cdgh, 0xF0)); /* DCBA */
  _mm_storeu_si128((__m128i *)&state[4], _mm_alignr_epi8(cdgh, tmp, 8));    /* HGFE */
}

#else

int csha256_has_ni(void) { return 0; }

void csha256_blocks_ni(uint32_t state[8], const uint8_t *data, size_t blocks) {
  (void)state;
  (void)data;
  (void)blocks;
}

#endif
