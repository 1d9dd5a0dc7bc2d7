#include "webhook_fields.h"

namespace qrfleet::webhook {

namespace {
std::size_t characters(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The byte length of the first `maxCharacters` characters of well-formed UTF-8.
std::size_t bytesOfCharacters(const std::string& s, std::size_t maxCharacters) {
  std::size_t seen = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && seen++ == maxCharacters) return i;
  }
  return s.size();
}
}  // namespace

WebhookFields::WebhookFields(const nlohmann::json& object, std::string path) : object_(object), path_(std::move(path)) {}

void WebhookFields::fail(const char* field, const std::string& problem) const {
  throw UnprocessableWebhook(pathOf(field) + ": " + problem);
}

const nlohmann::json* WebhookFields::find(const char* field) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

bool WebhookFields::has(const char* field) const { return find(field) != nullptr; }

std::optional<std::string> WebhookFields::optionalString(const char* field, std::size_t maxLength) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) fail(field, "must be a string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty()) fail(field, "must not be empty");
  if (characters(s) > maxLength) fail(field, "must be at most " + std::to_string(maxLength) + " characters");
  return s;
}

std::string WebhookFields::string(const char* field, std::size_t maxLength) const {
  auto s = optionalString(field, maxLength);
  if (!s) fail(field, "is missing");
  return *s;
}

std::optional<std::string> WebhookFields::optionalText(const char* field, std::size_t maxLength) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) fail(field, "must be a string");
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty()) return std::nullopt;
  return s.substr(0, bytesOfCharacters(s, maxLength));
}

std::optional<std::int64_t> WebhookFields::optionalInteger(const char* field, std::int64_t min, std::int64_t max) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  auto range = "must be an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!v->is_number_integer()) fail(field, range);
  // Unsigned values above INT64_MAX would wrap in get<int64_t>().
  if (v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) fail(field, range);
  auto n = v->get<std::int64_t>();
  if (n < min || n > max) fail(field, range);
  return n;
}

std::int64_t WebhookFields::integer(const char* field, std::int64_t min, std::int64_t max) const {
  auto n = optionalInteger(field, min, max);
  if (!n) fail(field, "is missing");
  return *n;
}

std::optional<std::string> WebhookFields::optionalCurrency(const char* field) const {
  auto s = optionalString(field, 3);
  if (!s) return std::nullopt;
  if (s->size() != 3) fail(field, "must be a three-letter ISO 4217 code");
  for (auto& c : *s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') fail(field, "must be a three-letter ISO 4217 code");
  }
  return s;
}

std::string WebhookFields::currency(const char* field) const {
  auto s = optionalCurrency(field);
  if (!s) fail(field, "is missing");
  return *s;
}

std::optional<bool> WebhookFields::optionalBoolean(const char* field) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_boolean()) fail(field, "must be true or false");
  return v->get<bool>();
}

std::optional<std::string> WebhookFields::optionalId(const char* field) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  if (v->is_object()) return WebhookFields(*v, pathOf(field) + ".").string("id");
  return optionalString(field);
}

std::string WebhookFields::id(const char* field) const {
  auto s = optionalId(field);
  if (!s) fail(field, "is missing");
  return *s;
}

std::optional<WebhookFields> WebhookFields::optionalObject(const char* field) const {
  const auto* v = find(field);
  if (v == nullptr) return std::nullopt;
  if (!v->is_object()) fail(field, "must be an object");
  return WebhookFields(*v, pathOf(field) + ".");
}

WebhookFields WebhookFields::object(const char* field) const {
  auto o = optionalObject(field);
  if (!o) fail(field, "is missing");
  return *o;
}

std::optional<WebhookFields> WebhookFields::optionalFirstOfList(const char* field) const {
  auto list = optionalObject(field);
  if (!list) return std::nullopt;
  const auto* data = list->find("data");
  if (data == nullptr) return std::nullopt;
  if (!data->is_array()) list->fail("data", "must be a list");
  if (data->empty()) return std::nullopt;
  if (!data->front().is_object()) list->fail("data", "must be a list of objects");
  return WebhookFields(data->front(), list->pathOf("data") + "[0].");
}

}  // namespace qrfleet::webhook
