/* Linked into every executable of the ThreadSanitizer build only.
 *
 * librdkafka starts its threads with C11 thrd_create(), which glibc
 * implements without going through pthread_create(); ThreadSanitizer
 * (gcc 12, clang 16) intercepts only the latter, so threads it never saw
 * start and crash in its allocator. Defining the C11 calls in the executable
 * interposes them (as a malloc replacement would be) and routes them through
 * the pthread calls that TSan does see. The same goes for C11 mutexes and
 * condition variables (glibc's mtx_t and cnd_t are its pthread types), or
 * TSan would report librdkafka's properly locked accesses as races. */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

struct c11_start {
  thrd_start_t func;
  void* arg;
};

static void* c11_trampoline(void* p) {
  struct c11_start start = *(struct c11_start*)p;
  free(p);
  return (void*)(intptr_t)start.func(start.arg);
}

int thrd_create(thrd_t* thr, thrd_start_t func, void* arg) {
  struct c11_start* start = malloc(sizeof *start);
  if (!start) return thrd_nomem;
  start->func = func;
  start->arg = arg;
  if (pthread_create(thr, NULL, c11_trampoline, start) != 0) {
    free(start);
    return thrd_error;
  }
  return thrd_success;
}

int thrd_join(thrd_t thr, int* res) {
  void* value = NULL;
  if (pthread_join(thr, &value) != 0) return thrd_error;
  if (res) *res = (int)(intptr_t)value;
  return thrd_success;
}

int thrd_detach(thrd_t thr) { return pthread_detach(thr) == 0 ? thrd_success : thrd_error; }

int mtx_init(mtx_t* m, int type) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
  int rc = pthread_mutex_init((pthread_mutex_t*)m, &attr);
  pthread_mutexattr_destroy(&attr);
  return rc == 0 ? thrd_success : thrd_error;
}
int mtx_lock(mtx_t* m) { return pthread_mutex_lock((pthread_mutex_t*)m) == 0 ? thrd_success : thrd_error; }
int mtx_trylock(mtx_t* m) {
  int rc = pthread_mutex_trylock((pthread_mutex_t*)m);
  return rc == 0 ? thrd_success : rc == EBUSY ? thrd_busy : thrd_error;
}
int mtx_timedlock(mtx_t* restrict m, const struct timespec* restrict ts) {
  int rc = pthread_mutex_timedlock((pthread_mutex_t*)m, ts);
  return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}
int mtx_unlock(mtx_t* m) { return pthread_mutex_unlock((pthread_mutex_t*)m) == 0 ? thrd_success : thrd_error; }
void mtx_destroy(mtx_t* m) { pthread_mutex_destroy((pthread_mutex_t*)m); }

int cnd_init(cnd_t* c) { return pthread_cond_init((pthread_cond_t*)c, NULL) == 0 ? thrd_success : thrd_error; }
int cnd_signal(cnd_t* c) { return pthread_cond_signal((pthread_cond_t*)c) == 0 ? thrd_success : thrd_error; }
int cnd_broadcast(cnd_t* c) { return pthread_cond_broadcast((pthread_cond_t*)c) == 0 ? thrd_success : thrd_error; }
int cnd_wait(cnd_t* c, mtx_t* m) {
  return pthread_cond_wait((pthread_cond_t*)c, (pthread_mutex_t*)m) == 0 ? thrd_success : thrd_error;
}
int cnd_timedwait(cnd_t* restrict c, mtx_t* restrict m, const struct timespec* restrict ts) {
  int rc = pthread_cond_timedwait((pthread_cond_t*)c, (pthread_mutex_t*)m, ts);
  return rc == 0 ? thrd_success : rc == ETIMEDOUT ? thrd_timedout : thrd_error;
}
void cnd_destroy(cnd_t* c) { pthread_cond_destroy((pthread_cond_t*)c); }
