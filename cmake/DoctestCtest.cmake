# qrfleet_discover_tests(<target> PREFIX <p> [PROPERTIES <k> <v>...] [LABELS <l>...]
#                        [LABEL_RULES "<label>=<name prefix>" ...])
#
# Registers one ctest entry per doctest test case of <target>, read from the
# built binary's --list-test-cases after every build: a new TEST_CASE is run
# by ctest without anyone having to list it. LABEL_RULES add a label to the
# cases whose name starts with the prefix (e.g. "slow=a worker SIGKILLed").
set(QRFLEET_DOCTEST_WRITER "${CMAKE_CURRENT_LIST_DIR}/DoctestCtestWrite.cmake")

function(qrfleet_discover_tests target)
  cmake_parse_arguments(D "" "PREFIX" "PROPERTIES;LABELS;LABEL_RULES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_ctest.cmake")
  # Lists travel as "|"-joined strings: a ";" would split the command's arguments.
  string(REPLACE ";" "|" rules "${D_LABEL_RULES}")
  string(REPLACE ";" "|" props "${D_PROPERTIES}")
  string(REPLACE ";" "|" labels "${D_LABELS}")
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} "-DEXE=$<TARGET_FILE:${target}>" "-DOUT=${out}" "-DPREFIX=${D_PREFIX}"
            "-DPROPS=${props}" "-DLABELS=${labels}" "-DRULES=${rules}" -P "${QRFLEET_DOCTEST_WRITER}"
    COMMENT "listing the test cases of ${target}"
    VERBATIM)
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${out}")
endfunction()
