#include "qrfleet/config_document_field.h"

#include <stdexcept>

namespace qrfleet {

std::string documentText(const nlohmann::json& entry, const std::string& where, const char* field, bool required) {
  auto it = entry.find(field);
  if (it == entry.end()) {
    if (required) throw std::invalid_argument(where + ": field '" + field + "' is missing");
    return {};
  }
  if (!it->is_string()) throw std::invalid_argument(where + ": field '" + field + "' must be a string");
  return it->get<std::string>();
}

}  // namespace qrfleet
