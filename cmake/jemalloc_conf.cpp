// jemalloc's build-time options for every qrfleet executable (jemalloc reads
// this symbol at start; the MALLOC_CONF environment variable still overrides).
//
// jemalloc keeps freed pages for 10 s by default before returning them. A
// worker frees a whole batch at once (decoded events, SQL arrays, Redis
// commands) and the next batch lands elsewhere, so those pages pile up: a
// scan-analytics bulk apply of 200,000 events peaked at 151.6 and 157.9 MB
// with the default, at 130.7 and 131.7 MB with freed pages returned after 1 s
// (27,054 and 26,818 events/s against 26,379 and 28,480, within the noise).
// Decay 0 returned them at once and cost ~5% throughput.
extern "C" {
extern const char* const malloc_conf;
const char* const malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}
