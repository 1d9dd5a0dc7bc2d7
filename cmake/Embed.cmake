# qrfleet_embed(<target> <symbol> FILES <files...> [BASE <dir>])
# Compiles files (schemas, SQL migrations) into a source that exposes
#   std::span<const qrfleet::EmbeddedFile> <symbol>()
# so binaries carry their contracts and need no data directory at run time.
function(qrfleet_embed target symbol)
  cmake_parse_arguments(E "" "BASE" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${symbol}_embedded.cpp")
  string(REPLACE ";" "|" files_arg "${E_FILES}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DSYMBOL=${symbol} -DBASE=${E_BASE}
            "-DFILES=${files_arg}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    DEPENDS ${E_FILES} "${PROJECT_SOURCE_DIR}/cmake/EmbedFiles.cmake"
    COMMENT "Embedding ${symbol}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
  # Every generated file has the same internal names: never merge two into one unity source.
  set_source_files_properties("${out}" PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
endfunction()
