#pragma once
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qrfleet {

// The JSON Schemas under schemas/ (compiled in), validated with valijson.
// Used where a full schema check is worth its cost: `qrfleet produce` before
// sending, and the tests that hold the C++ decoders to the contracts. The
// workers' hot path uses the typed decoders instead (valijson compiles a
// std::regex per date-time check, ~100x slower than the decoder).
class SchemaCatalog {
 public:
  SchemaCatalog();
  ~SchemaCatalog();

  // Problems with an envelope and its payload; empty when valid.
  std::vector<std::string> validate(const nlohmann::json& envelope) const;
  bool knows(const std::string& eventType, int version) const;
  std::vector<std::string> eventSchemas() const;  // "scan.recorded.v1", ...

  struct Compiled;  // a parsed valijson schema (defined in the .cpp)

 private:
  std::unique_ptr<Compiled> envelope_;
  std::map<std::string, std::unique_ptr<Compiled>> events_;  // key: type.vN
};

}  // namespace qrfleet
