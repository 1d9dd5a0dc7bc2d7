#pragma once
#include <span>

#include "qrfleet/embedded_file.h"

namespace qrfleet {
// migrations/*.sql, compiled in by CMake (qrfleet_embed).
std::span<const EmbeddedFile> locationMigrations();
}  // namespace qrfleet
