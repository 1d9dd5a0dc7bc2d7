#include "chunk_generator.h"

#include <sys/resource.h>

#include <chrono>
#include <fstream>

#include "bulk_qr_keys.h"
#include "qr_image.h"
#include "qrfleet/sha256.h"
#include "zip_archive.h"

namespace qrfleet::bulkqr {

std::string ChunkResult::summary() const {
  return std::to_string(generated.size()) + " generated, " + std::to_string(failed.size()) + " failed";
}

ChunkResult generateChunk(const events::BulkChunkRequested& chunk, ObjectStore* store) {
  auto started = std::chrono::steady_clock::now();
  ChunkResult result;
  TempDirectory temp;
  auto partFile = temp.path() / "part.zip";
  ZipArchive part(partFile, chunk.requestedAtMs / 1000);
  for (const auto& item : chunk.items) {
    QrMatrix qr;
    try {
      qr = encodeQr(item.data, chunk.options.errorCorrection);
    } catch (const QrEncodeError& e) {
      result.failed.push_back({item.index, e.what()});
      continue;
    }
    GeneratedItem g{item.index, {}, {}};
    auto keep = [&](const char* ext, std::string bytes, const char* contentType, std::string& sha) {
      sha = sha256Hex(bytes);
      if (!store) return;
      store->put(objects::code(chunk.ownerId, chunk.batchId, item.index, ext), bytes, contentType);
      part.add(item.entry + "." + ext, std::move(bytes));
    };
    if (chunk.options.png) keep("png", renderPng(qr, chunk.options), "image/png", g.pngSha256);
    if (chunk.options.svg) keep("svg", renderSvg(qr, chunk.options), "image/svg+xml", g.svgSha256);
    result.generated.push_back(std::move(g));
  }
  if (store) {
    part.close();
    store->putFile(objects::chunkPart(chunk.ownerId, chunk.batchId, chunk.chunkIndex), partFile, "application/zip");
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

std::string ArchiveResult::toDetail() const {
  return nlohmann::json{{"key", key}, {"sha256", sha256}, {"bytes", bytes}, {"entries", entries}}.dump();
}

ArchiveResult ArchiveResult::fromDetail(const std::string& detail) {
  auto j = nlohmann::json::parse(detail);
  return {j.at("key"), j.at("sha256"), j.at("bytes"), j.at("entries")};
}

ArchiveResult buildArchive(ObjectStore& store, const std::string& ownerId, const std::string& batchId,
                           const std::vector<int>& parts, const std::optional<std::string>& reportKey,
                           std::int64_t requestedAtMs) {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && parts.size() + 64 > files.rlim_cur)
    throw ObjectStoreError("batch " + batchId + " has " + std::to_string(parts.size()) +
                               " parts; the open-file limit is " + std::to_string(files.rlim_cur) +
                               " (raise it, or BULK_QR_CHUNK_SIZE)",
                           false);
  TempDirectory temp;
  auto archiveFile = temp.path() / "archive.zip";
  ZipArchive archive(archiveFile, requestedAtMs / 1000);
  for (int c : parts) {
    auto key = objects::chunkPart(ownerId, batchId, c);
    auto bytes = store.get(key);
    if (!bytes) throw ObjectStoreError("chunk part " + key + " is missing", false);
    auto file = temp.path() / (std::to_string(c) + ".zip");
    std::ofstream(file, std::ios::binary).write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    archive.addEntriesOf(file);
  }
  if (reportKey) {
    auto report = store.get(*reportKey);
    if (!report) throw ObjectStoreError("validation report " + *reportKey + " is missing", false);
    archive.add("validation-report.csv", std::move(*report));
  }
  ArchiveResult r;
  r.entries = archive.entries();
  archive.close();
  r.key = objects::archive(ownerId, batchId);
  r.sha256 = sha256HexOfFile(archiveFile);
  r.bytes = std::filesystem::file_size(archiveFile);
  store.putFile(r.key, archiveFile, "application/zip");
  return r;
}

}  // namespace qrfleet::bulkqr
