#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace qrfleet {

// Lower-case hex SHA-256 of bytes, and of a file read in pieces (claim checks, archives).
std::string sha256Hex(std::string_view bytes);
std::string sha256HexOfFile(const std::filesystem::path& file);

}  // namespace qrfleet
