#pragma once
#include <span>
#include <string_view>

namespace qrfleet {

// A file compiled into the binary by cmake/Embed.cmake (schemas, migrations).
struct EmbeddedFile {
  std::string_view path;
  std::string_view content;
};

// The event contracts under schemas/ (envelope and events/*.json).
std::span<const EmbeddedFile> embeddedSchemas();

}  // namespace qrfleet
