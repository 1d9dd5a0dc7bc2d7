#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

namespace qrfleet::webhook {

// A signed webhook of a type we normalize that lacks a field we need, or has
// it of the wrong form: answered 422 naming the field ("data.object.amount:
// must be an integer >= 0").
class UnprocessableWebhook : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Typed reads of a provider's JSON, each failure an UnprocessableWebhook that
// names the field by its path in the body. A JSON null counts as absent:
// providers send null for every optional field they have no value for.
class WebhookFields {
 public:
  // The payment events' bounds (shared/src/events/payment_events.cpp), so a
  // field too long is named by its path in the provider's body.
  static constexpr std::size_t kMaxIdLength = 255;
  static constexpr std::size_t kMaxCodeLength = 128;  // customer ids, fingerprints, failure codes, reasons
  static constexpr std::size_t kMaxTextLength = 1000;

  explicit WebhookFields(const nlohmann::json& object, std::string path = "");

  bool has(const char* field) const;
  // Non-empty, at most maxLength characters.
  std::string string(const char* field, std::size_t maxLength = kMaxIdLength) const;
  std::optional<std::string> optionalString(const char* field, std::size_t maxLength = kMaxIdLength) const;
  // Free text (a failure message): cut to maxLength characters rather than refused.
  std::optional<std::string> optionalText(const char* field, std::size_t maxLength = kMaxTextLength) const;
  // A JSON integer (never 12.5 or "12") in [min, max].
  std::int64_t integer(const char* field, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optionalInteger(const char* field, std::int64_t min, std::int64_t max) const;
  // Minor units: an integer >= 0.
  std::int64_t amount(const char* field) const { return integer(field, 0, kMaxAmount); }
  std::optional<std::int64_t> optionalAmount(const char* field) const { return optionalInteger(field, 0, kMaxAmount); }
  // Three ASCII letters, returned upper-case (Stripe sends "usd").
  std::string currency(const char* field) const;
  std::optional<std::string> optionalCurrency(const char* field) const;
  std::optional<bool> optionalBoolean(const char* field) const;
  // An id given as a string or as an expanded object {"id": ...} (Stripe's expandable fields).
  std::string id(const char* field) const;
  std::optional<std::string> optionalId(const char* field) const;

  WebhookFields object(const char* field) const;
  std::optional<WebhookFields> optionalObject(const char* field) const;
  // The first element of a list object {"data": [...]} (Stripe lists, newest first).
  std::optional<WebhookFields> optionalFirstOfList(const char* field) const;

  // The path of `field` in the body, e.g. "data.object.amount".
  std::string pathOf(const char* field) const { return path_ + field; }
  [[noreturn]] void fail(const char* field, const std::string& problem) const;

 private:
  static constexpr std::int64_t kMaxAmount = 999'999'999'999;  // the payment events' own bound

  const nlohmann::json* find(const char* field) const;

  const nlohmann::json& object_;
  std::string path_;  // "data.object." for the fields of data.object
};

}  // namespace qrfleet::webhook
