#include "zip_archive.h"

#include <zip.h>

#include <fstream>
#include <stdexcept>

#include "qrfleet/event_id.h"

namespace qrfleet::bulkqr {

namespace {
[[noreturn]] void failed(zip* archive, const std::string& what) {
  throw std::runtime_error("libzip: " + what + ": " + (archive ? zip_strerror(archive) : "cannot open"));
}
}  // namespace

ZipArchive::ZipArchive(const std::filesystem::path& file, std::int64_t mtimeSeconds) : file_(file), mtime_(mtimeSeconds) {
  int error = 0;
  archive_ = zip_open(file.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  if (!archive_) {
    zip_error_t e;
    zip_error_init_with_code(&e, error);
    std::string message = zip_error_strerror(&e);
    zip_error_fini(&e);
    throw std::runtime_error("libzip: cannot create " + file.string() + ": " + message);
  }
}

ZipArchive::~ZipArchive() {
  if (archive_) zip_discard(archive_);
  for (auto* s : sources_) zip_discard(s);
}

void ZipArchive::add(const std::string& name, std::string bytes) {
  buffers_.push_back(std::make_unique<std::string>(std::move(bytes)));
  const auto& b = *buffers_.back();
  zip_source_t* source = zip_source_buffer(archive_, b.data(), b.size(), 0);
  if (!source) failed(archive_, "buffer for " + name);
  auto index = zip_file_add(archive_, name.c_str(), source, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
  if (index < 0) {
    zip_source_free(source);
    failed(archive_, "add " + name);
  }
  auto i = static_cast<zip_uint64_t>(index);
  if (zip_set_file_compression(archive_, i, ZIP_CM_STORE, 0) != 0 ||
      zip_file_set_mtime(archive_, i, static_cast<time_t>(mtime_), 0) != 0)
    failed(archive_, "set up " + name);
  ++entries_;
}

void ZipArchive::addEntriesOf(const std::filesystem::path& part) {
  int error = 0;
  zip* source = zip_open(part.c_str(), ZIP_RDONLY, &error);
  if (!source) throw std::runtime_error("libzip: cannot open " + part.string() + " (error " + std::to_string(error) + ")");
  sources_.push_back(source);
  auto n = zip_get_num_entries(source, 0);
  for (zip_int64_t k = 0; k < n; ++k) {
    auto idx = static_cast<zip_uint64_t>(k);
    const char* name = zip_get_name(source, idx, ZIP_FL_ENC_RAW);
    if (!name) failed(source, "name of entry " + std::to_string(k) + " of " + part.string());
    zip_source_t* entry = zip_source_zip(archive_, source, idx, 0, 0, -1);
    if (!entry) failed(archive_, "entry " + std::string(name) + " of " + part.string());
    auto index = zip_file_add(archive_, name, entry, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
    if (index < 0) {
      zip_source_free(entry);
      failed(archive_, "add " + std::string(name));
    }
    auto i = static_cast<zip_uint64_t>(index);
    if (zip_set_file_compression(archive_, i, ZIP_CM_STORE, 0) != 0 ||
        zip_file_set_mtime(archive_, i, static_cast<time_t>(mtime_), 0) != 0)
      failed(archive_, "set up " + std::string(name));
    ++entries_;
  }
}

void ZipArchive::close() {
  if (zip_close(archive_) != 0) failed(archive_, "write the archive");
  archive_ = nullptr;
  buffers_.clear();
  for (auto* s : sources_) zip_discard(s);
  sources_.clear();
  if (entries_ == 0) {
    // libzip writes no file for an empty archive; an empty ZIP is its end record alone.
    static constexpr char endOfCentralDirectory[22] = {'P', 'K', 5, 6};
    std::ofstream(file_, std::ios::binary | std::ios::trunc).write(endOfCentralDirectory, sizeof endOfCentralDirectory);
  }
}

std::vector<std::string> zipEntryNames(const std::filesystem::path& file) {
  int error = 0;
  zip* archive = zip_open(file.c_str(), ZIP_RDONLY, &error);
  if (!archive) throw std::runtime_error("libzip: cannot open " + file.string() + " (error " + std::to_string(error) + ")");
  std::vector<std::string> names;
  auto n = zip_get_num_entries(archive, 0);
  for (zip_int64_t k = 0; k < n; ++k)
    if (const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(k), 0)) names.emplace_back(name);
  zip_discard(archive);
  return names;
}

TempDirectory::TempDirectory() : path_(std::filesystem::temp_directory_path() / ("qrfleet-bulk-qr-" + randomUuid())) {
  std::filesystem::create_directories(path_);
}

TempDirectory::~TempDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace qrfleet::bulkqr
