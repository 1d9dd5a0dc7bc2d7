#pragma once
#include <cstdint>
#include <string>

// Where a batch's files live in object storage. Keys are a function of the
// batch alone, so a chunk generated again writes the same bytes to the same keys.
namespace qrfleet::bulkqr::objects {

inline std::string batchPrefix(const std::string& ownerId, const std::string& batchId) {
  return "qr/" + ownerId + "/" + batchId + "/";
}
inline std::string code(const std::string& ownerId, const std::string& batchId, std::int64_t index, const char* ext) {
  return batchPrefix(ownerId, batchId) + std::to_string(index) + "." + ext;
}
// A chunk's files as one ZIP: the archive is merged from these, not from every code.
inline std::string chunkPart(const std::string& ownerId, const std::string& batchId, int chunkIndex) {
  return batchPrefix(ownerId, batchId) + "parts/" + std::to_string(chunkIndex) + ".zip";
}
inline std::string archive(const std::string& ownerId, const std::string& batchId) {
  return batchPrefix(ownerId, batchId) + "archive.zip";
}
inline std::string report(const std::string& ownerId, const std::string& batchId) {
  return batchPrefix(ownerId, batchId) + "validation-report.csv";
}

}  // namespace qrfleet::bulkqr::objects
