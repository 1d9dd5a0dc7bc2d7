#include "qrfleet/tools/schema_catalog.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include "qrfleet/embedded_file.h"

namespace qrfleet {

struct SchemaCatalog::Compiled {
  valijson::Schema schema;
};

namespace {
std::unique_ptr<SchemaCatalog::Compiled> compile(std::string_view text, std::string_view path);
}

SchemaCatalog::SchemaCatalog() {
  for (const auto& f : embeddedSchemas()) {
    std::string path(f.path);
    if (path == "envelope.v1.json") {
      envelope_ = compile(f.content, path);
    } else if (path.rfind("events/", 0) == 0 && path.size() > 12) {
      auto name = path.substr(7, path.size() - 7 - 5);  // events/<type>.vN.json
      events_[name] = compile(f.content, path);
    }
  }
  if (!envelope_) throw std::runtime_error("schemas/envelope.v1.json is not compiled in");
}

SchemaCatalog::~SchemaCatalog() = default;

namespace {
std::unique_ptr<SchemaCatalog::Compiled> compile(std::string_view text, std::string_view path) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw std::runtime_error("schema " + std::string(path) + " is not valid JSON");
  auto c = std::make_unique<SchemaCatalog::Compiled>();
  valijson::SchemaParser parser;
  valijson::adapters::NlohmannJsonAdapter adapter(doc);
  parser.populateSchema(adapter, c->schema);
  return c;
}

void collect(const valijson::Schema& schema, const nlohmann::json& doc, const std::string& where,
             std::vector<std::string>& out) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  if (validator.validate(schema, target, &results)) return;
  valijson::ValidationResults::Error err;
  while (results.popError(err)) {
    std::string ctx;
    for (const auto& c : err.context) ctx += c;
    out.push_back(where + ctx + ": " + err.description);
  }
}
}  // namespace

std::vector<std::string> SchemaCatalog::validate(const nlohmann::json& envelope) const {
  std::vector<std::string> errors;
  collect(envelope_->schema, envelope, "envelope", errors);
  if (!errors.empty()) return errors;
  auto key = envelope.at("eventType").get<std::string>() + ".v" + std::to_string(envelope.at("version").get<int>());
  auto it = events_.find(key);
  if (it == events_.end()) return {"no schema for " + key};
  collect(it->second->schema, envelope.at("payload"), "payload", errors);
  return errors;
}

bool SchemaCatalog::knows(const std::string& eventType, int version) const {
  return events_.count(eventType + ".v" + std::to_string(version)) > 0;
}

std::vector<std::string> SchemaCatalog::eventSchemas() const {
  std::vector<std::string> out;
  for (const auto& [k, v] : events_) out.push_back(k);
  return out;
}

}  // namespace qrfleet
