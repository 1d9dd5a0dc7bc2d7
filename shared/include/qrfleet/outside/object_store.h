#pragma once
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "qrfleet/outside_step.h"

namespace qrfleet {

// An object store call failed. transient(): worth trying again later (no
// answer, a timeout, a 5xx, throttling); otherwise the request itself is wrong
// (bad credentials, a bad key) and repeating it will not help.
class ObjectStoreError : public std::runtime_error {
 public:
  ObjectStoreError(const std::string& message, bool transient) : std::runtime_error(message), transient_(transient) {}
  bool transient() const { return transient_; }
  // As the outcome of an outside step.
  StepOutcome outcome() const { return transient_ ? StepOutcome::transient(what()) : StepOutcome::permanent(what()); }

 private:
  bool transient_;
};

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;  // without quotes
};

// Where workers keep files (generated QR images, uploads, exports): one
// interface, a filesystem backend (the embedded default, for `scripts/run`
// and single-host deployments) and an S3 backend (any S3-compatible server).
// Keys are relative paths ("qr/2026/11/<id>.png"): no leading '/', no "..".
// Puts replace whole objects, so a put repeated after a crash writes the same
// bytes again: name objects by what they hold (an event's id) and the
// at-least-once window of a put is harmless.
class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual void put(const std::string& key, std::string_view bytes, const std::string& contentType) = 0;
  // A put of a file's bytes, streamed: an archive of a hundred thousand codes
  // never has to fit in memory.
  virtual void putFile(const std::string& key, const std::filesystem::path& file, const std::string& contentType) = 0;
  // nullopt: no such object.
  virtual std::optional<std::string> get(const std::string& key) = 0;
  // Bytes [offset, offset + length) (fewer at the end); nullopt: no such object.
  virtual std::optional<std::string> getRange(const std::string& key, std::uint64_t offset, std::uint64_t length) = 0;
  // Every object whose key starts with `prefix`, in key order.
  virtual std::vector<ObjectInfo> list(const std::string& prefix) = 0;
  // Removing an absent object is not an error.
  virtual void remove(const std::string& key) = 0;
  // A URL that GETs the object without credentials until `ttl` has passed (links in notifications).
  virtual std::string presignGet(const std::string& key, std::chrono::seconds ttl) = 0;
};

// Throws std::invalid_argument for a key that could escape its store.
void checkObjectKey(const std::string& key);

}  // namespace qrfleet
