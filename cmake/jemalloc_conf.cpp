// jemalloc's build-time options for every qrfleet executable (jemalloc reads
// this symbol at start; the MALLOC_CONF environment variable still overrides).
//
// jemalloc keeps freed pages for 10 s by default before returning them. A
// worker frees a whole batch at once (decoded events, SQL arrays, Redis
// commands) and the next batch lands elsewhere, so those pages pile up: a
// scan-analytics bulk apply of 200,000 events peaked at 151.6 and 157.9 MB
// with the default, at 133.5 and 134.6 MB with this (29,657 and 28,726
// events/s against 26,379 and 28,480, within the noise). Decay 0 returned
// them at once: 25,748 and 24,846 events/s. (muzzy decay 0 is jemalloc 5.3's
// default already; it is stated so that an older jemalloc behaves the same.)
extern "C" {
extern const char* const malloc_conf;
const char* const malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}
