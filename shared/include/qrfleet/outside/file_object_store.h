#pragma once
#include <filesystem>
#include <functional>

#include "qrfleet/outside/object_store.h"

namespace qrfleet {

// Objects as files under a root directory (keys are relative paths). A put
// writes an unnamed file and links it in (or a temporary file renamed over
// the old object), so a reader never sees half an object. presignGet()
// gives a file:// URL: fine on one host (development, `scripts/run`); a
// deployment that sends links to users needs the S3 backend.
class FileObjectStore : public ObjectStore {
 public:
  explicit FileObjectStore(std::filesystem::path root);

  void put(const std::string& key, std::string_view bytes, const std::string& contentType) override;
  void putFile(const std::string& key, const std::filesystem::path& file, const std::string& contentType) override;
  std::optional<std::string> get(const std::string& key) override;
  std::optional<std::string> getRange(const std::string& key, std::uint64_t offset, std::uint64_t length) override;
  std::vector<ObjectInfo> list(const std::string& prefix) override;
  void remove(const std::string& key) override;
  std::string presignGet(const std::string& key, std::chrono::seconds ttl) override;

 private:
  std::filesystem::path pathOf(const std::string& key) const;
  // Writes through `write` into a temporary file beside `path`, then renames it into place.
  void replace(const std::filesystem::path& path, const std::function<void(const std::filesystem::path&)>& write) const;
  std::filesystem::path root_;
};

}  // namespace qrfleet
