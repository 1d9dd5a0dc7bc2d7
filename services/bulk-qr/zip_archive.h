#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct zip;

namespace qrfleet::bulkqr {

// A ZIP written to a file with libzip: entries stored (PNG and SVG gain
// little from deflate), every entry dated `mtime`, so the same entries give
// the same bytes. Sources are read when close() writes the archive: entries
// added from other archives are streamed from their files, not held in memory.
class ZipArchive {
 public:
  ZipArchive(const std::filesystem::path& file, std::int64_t mtimeSeconds);
  ~ZipArchive();
  ZipArchive(const ZipArchive&) = delete;
  ZipArchive& operator=(const ZipArchive&) = delete;

  // Keeps `bytes` until close().
  void add(const std::string& name, std::string bytes);
  // Every entry of the ZIP file `part` (kept open until close()).
  void addEntriesOf(const std::filesystem::path& part);
  std::size_t entries() const { return entries_; }
  void close();

 private:
  zip* archive_ = nullptr;
  std::filesystem::path file_;
  std::int64_t mtime_;
  std::size_t entries_ = 0;
  std::vector<std::unique_ptr<std::string>> buffers_;
  std::vector<zip*> sources_;
};

// The names of a ZIP file's entries, in order.
std::vector<std::string> zipEntryNames(const std::filesystem::path& file);

// A directory under the system's temporary directory, removed with everything in it.
class TempDirectory {
 public:
  TempDirectory();
  ~TempDirectory();
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace qrfleet::bulkqr
