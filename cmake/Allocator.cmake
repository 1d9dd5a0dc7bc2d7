# qrfleet_use_jemalloc(<target>): the executable allocates with jemalloc.
#
# Every executable of the fleet allocates on one thread and frees on another
# (a message decoded by the consumer thread is freed by an apply lane, a
# webhook made on an event loop by librdkafka's thread), the pattern glibc's
# per-thread arenas handle worst. glibc's malloc and free were ~15% of the
# gateway's CPU and 32% of scan-analytics' (perf at a steady 5,000 events/s);
# jemalloc measured on the same loads: in the gateway 5,218 webhooks/s against
# 4,163 with glibc; in a scan-analytics bulk apply 16,400 and 16,962 events/s
# against 13,641 and 14,265, worker CPU 36 us an event against 46.5.
# Not under the sanitizers, which bring their own allocator. Its options are
# in jemalloc_conf.cpp, compiled into each such executable.
function(qrfleet_use_jemalloc target)
  if(QRFLEET_SANITIZE OR QRFLEET_TSAN)
    return()
  endif()
  if(NOT TARGET PkgConfig::JEMALLOC)
    pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET GLOBAL jemalloc)
  endif()
  target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  target_sources(${target} PRIVATE "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/jemalloc_conf.cpp")
endfunction()
