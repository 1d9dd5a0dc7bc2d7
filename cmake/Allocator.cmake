# qrfleet_use_jemalloc(<target>): the executable allocates with jemalloc.
#
# Every executable of the fleet allocates on one thread and frees on another
# (a message decoded by the consumer thread is freed by an apply lane, a
# webhook made on an event loop by librdkafka's thread), the pattern glibc's
# per-thread arenas handle worst. glibc's malloc and free were ~15% of the
# gateway's CPU and 32% of scan-analytics' (perf of a bulk apply);
# jemalloc measured on the same loads: in the gateway 5,218 webhooks/s against
# 4,163 with glibc, in scan-analytics 11-14% less worker CPU per event.
# Not under the sanitizers, which bring their own allocator.
function(qrfleet_use_jemalloc target)
  if(QRFLEET_SANITIZE OR QRFLEET_TSAN)
    return()
  endif()
  if(NOT TARGET PkgConfig::JEMALLOC)
    pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET GLOBAL jemalloc)
  endif()
  target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
endfunction()
