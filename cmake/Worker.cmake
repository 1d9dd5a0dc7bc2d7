# qrfleet_add_worker(<name>
#   SOURCES <domain sources...>         handler, domain logic (not main.cpp)
#   MIGRATIONS <symbol>                 embeds migrations/*.sql as <symbol>()
#   [LINK <libraries...>]               beyond libqrfleet
#   [UNIT_TESTS <test sources...>]      doctest files (with their main), run as unit.<name>
#   [UNIT_TEST_LABELS <labels...>])     beyond "unit" (e.g. tsan)
#
# A worker is a domain library <name>-domain (so its unit tests link exactly
# what the worker runs) and the executable qrfleet-<name> from main.cpp, in
# the calling directory (services/<name>/, or tests/<name>/ for test workers).
function(qrfleet_add_worker name)
  cmake_parse_arguments(W "" "MIGRATIONS" "SOURCES;LINK;UNIT_TESTS;UNIT_TEST_LABELS" ${ARGN})
  add_library(${name}-domain STATIC ${W_SOURCES})
  target_include_directories(${name}-domain PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${name}-domain PUBLIC qrfleet ${W_LINK})
  file(GLOB migrations CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/migrations/*.sql")
  if(NOT migrations)
    message(FATAL_ERROR "worker ${name}: no migrations/*.sql in ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  qrfleet_embed(${name}-domain ${W_MIGRATIONS} FILES ${migrations} BASE "${CMAKE_CURRENT_SOURCE_DIR}")

  add_executable(qrfleet-${name} main.cpp)
  target_link_libraries(qrfleet-${name} PRIVATE ${name}-domain)
  qrfleet_use_jemalloc(qrfleet-${name})

  if(BUILD_TESTING AND W_UNIT_TESTS)
    add_executable(${name}-unit-tests ${W_UNIT_TESTS})
    target_link_libraries(${name}-unit-tests PRIVATE ${name}-domain doctest::doctest)
    add_test(NAME unit.${name} COMMAND ${name}-unit-tests)
    set_tests_properties(unit.${name} PROPERTIES LABELS "unit;${W_UNIT_TEST_LABELS}")
  endif()
endfunction()
