/*
 * CRC-32C (Castagnoli) for record batches, with the x86-64 SSE 4.2 crc32 instruction run on three
 * independent streams at once (the instruction's latency is three cycles, its throughput one per
 * cycle, so one dependent chain uses a third of it). The three partial CRCs are combined by
 * multiplying by x^(8n) mod P, through tables built when the module loads — the method of Intel's
 * "Fast CRC Computation for iSCSI Polynomial Using CRC32 Instruction" and of Mark Adler's crc32c.c.
 *
 * Exports crc32c(bytes: Uint8Array): number only when the CPU has SSE 4.2; without it the module
 * exports nothing and src/protocol/crc32c.ts uses @node-rs/crc32.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SSE42_PATH 1
#include <nmmintrin.h>
#include <pthread.h>

#define POLY 0x82f63b78u /* CRC-32C, bit-reflected */
#define LONG_BLOCK 8192
#define SHORT_BLOCK 256

/* a * b mod P in the bit-reflected representation (bit 31 is x^0). */
static uint32_t multmodp(uint32_t a, uint32_t b) {
  uint32_t m = 1u << 31, p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) == 0) break;
    }
    m >>= 1;
    b = (b & 1) ? (b >> 1) ^ POLY : b >> 1;
  }
  return p;
}

/* x^(8n) mod P: what appending n zero bytes multiplies a CRC register by. */
static uint32_t x8nmodp(size_t n) {
  uint32_t p = 1u << 31, sq = 1u << 23; /* x^0, x^8 */
  while (n) {
    if (n & 1) p = multmodp(sq, p);
    sq = multmodp(sq, sq);
    n >>= 1;
  }
  return p;
}

/* shift tables: register -> register * x^(8 * block) mod P, a byte at a time. */
static uint32_t long_shift[4][256];
static uint32_t short_shift[4][256];

static void build_shift(uint32_t table[4][256], size_t block) {
  uint32_t k = x8nmodp(block);
  for (uint32_t i = 0; i < 256; i++)
    for (int j = 0; j < 4; j++) table[j][i] = multmodp(k, i << (8 * j));
}

static inline uint32_t shift(uint32_t table[4][256], uint32_t crc) {
  return table[0][crc & 0xff] ^ table[1][(crc >> 8) & 0xff] ^ table[2][(crc >> 16) & 0xff] ^ table[3][crc >> 24];
}

static inline uint64_t load64(const uint8_t *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

/* Three streams of `block` bytes each, starting at p, folded into c0; p and n advance. */
#define THREE_STREAMS(block, table)                                                   \
  while (n >= 3 * (block)) {                                                          \
    uint64_t c1 = 0, c2 = 0;                                                          \
    const uint8_t *end = p + (block);                                                 \
    do {                                                                              \
      c0 = _mm_crc32_u64(c0, load64(p));                                              \
      c1 = _mm_crc32_u64(c1, load64(p + (block)));                                    \
      c2 = _mm_crc32_u64(c2, load64(p + 2 * (block)));                                \
      p += 8;                                                                         \
    } while (p < end);                                                                \
    c0 = shift(table, (uint32_t)c0) ^ (uint32_t)c1;                                   \
    c0 = shift(table, (uint32_t)c0) ^ (uint32_t)c2;                                   \
    p += 2 * (block);                                                                 \
    n -= 3 * (block);                                                                 \
  }

__attribute__((target("sse4.2"))) static uint32_t crc32c_sse42(const uint8_t *p, size_t n) {
  uint64_t c0 = 0xffffffffu;
  while (n > 0 && ((uintptr_t)p & 7) != 0) {
    c0 = _mm_crc32_u8((uint32_t)c0, *p++);
    n--;
  }
  THREE_STREAMS(LONG_BLOCK, long_shift)
  THREE_STREAMS(SHORT_BLOCK, short_shift)
  while (n >= 8) {
    c0 = _mm_crc32_u64(c0, load64(p));
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c0 = _mm_crc32_u8((uint32_t)c0, *p++);
    n--;
  }
  return (uint32_t)c0 ^ 0xffffffffu;
}

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void build_tables(void) {
  build_shift(long_shift, LONG_BLOCK);
  build_shift(short_shift, SHORT_BLOCK);
}

static napi_value Crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  if (napi_get_cb_info(env, info, &argc, &arg, NULL, NULL) != napi_ok) return NULL;
  bool is_typed = false;
  napi_typedarray_type type;
  size_t length = 0;
  void *data = NULL;
  if (argc < 1 || napi_is_typedarray(env, arg, &is_typed) != napi_ok || !is_typed ||
      napi_get_typedarray_info(env, arg, &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "crc32c: expected a Uint8Array");
    return NULL;
  }
  napi_value result;
  napi_create_uint32(env, crc32c_sse42((const uint8_t *)data, length), &result);
  return result;
}
#endif

NAPI_MODULE_INIT() {
#ifdef HAVE_SSE42_PATH
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) {
    pthread_once(&tables_once, build_tables); /* once per process, whichever thread loads first */
    napi_value fn;
    if (napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, Crc32c, NULL, &fn) == napi_ok)
      napi_set_named_property(env, exports, "crc32c", fn);
  }
#endif
  return exports;
}
