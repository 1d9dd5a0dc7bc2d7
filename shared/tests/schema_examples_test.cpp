// Holds the C++ decoders and the JSON Schemas to the same verdict on every
// example under schemas/examples, so the two cannot drift apart.
#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <fstream>
#include <sstream>

#include "qrfleet/envelope.h"
#include "qrfleet/events/booking_events.h"
#include "qrfleet/events/bulk_qr_events.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/events/notification_contact.h"
#include "qrfleet/events/notification_requested.h"
#include "qrfleet/events/notification_status.h"
#include "qrfleet/events/dunning_retry_due.h"
#include "qrfleet/events/payment_events.h"
#include "qrfleet/events/payment_state_changed.h"
#include "qrfleet/events/retention_policy_triggered.h"
#include "qrfleet/events/scan_recorded.h"
#include "qrfleet/tools/schema_catalog.h"

namespace fs = std::filesystem;
using namespace qrfleet;

namespace {
std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The C++ decoder's verdict: empty = accepted, else the reason.
std::string decodeVerdict(const std::string& text) {
  try {
    auto env = Envelope::decode(text);
    using Decode = std::function<void(const Envelope&)>;
    std::map<std::string_view, Decode> decoders = {
        {events::ScanRecorded::type, [](const Envelope& e) { events::ScanRecorded::fromEnvelope(e); }},
        {events::LocationUpdated::type, [](const Envelope& e) { events::LocationUpdated::fromEnvelope(e); }},
        {events::BookingCreated::type, [](const Envelope& e) { events::BookingCreated::fromEnvelope(e); }},
        {events::BookingAccepted::type, [](const Envelope& e) { events::BookingAccepted::fromEnvelope(e); }},
        {events::BookingCancelled::type, [](const Envelope& e) { events::BookingCancelled::fromEnvelope(e); }},
        {events::BookingCompleted::type, [](const Envelope& e) { events::BookingCompleted::fromEnvelope(e); }},
        {events::BookingBroadcast::type, [](const Envelope& e) { events::BookingBroadcast::fromEnvelope(e); }},
        {events::BookingAssigned::type, [](const Envelope& e) { events::BookingAssigned::fromEnvelope(e); }},
        {events::BookingExpired::type, [](const Envelope& e) { events::BookingExpired::fromEnvelope(e); }},
        {events::RetentionPolicyTriggered::type,
         [](const Envelope& e) { events::RetentionPolicyTriggered::fromEnvelope(e); }},
        {events::BulkBatchRequested::type, [](const Envelope& e) { events::BulkBatchRequested::fromEnvelope(e); }},
        {events::BulkBatchCancelled::type, [](const Envelope& e) { events::BulkBatchCancelled::fromEnvelope(e); }},
        {events::BulkChunkRequested::type, [](const Envelope& e) { events::BulkChunkRequested::fromEnvelope(e); }},
        {events::BulkItemFailed::type, [](const Envelope& e) { events::BulkItemFailed::fromEnvelope(e); }},
        {events::BulkBatchCompleted::type, [](const Envelope& e) { events::BulkBatchCompleted::fromEnvelope(e); }},
        {events::NotificationRequested::type,
         [](const Envelope& e) { events::NotificationRequested::fromEnvelope(e); }},
        {events::NotificationContactUpdated::type,
         [](const Envelope& e) { events::NotificationContactUpdated::fromEnvelope(e); }},
        {events::NotificationOutcome::sentType, [](const Envelope& e) { events::NotificationOutcome::fromEnvelope(e); }},
        {events::NotificationOutcome::failedType, [](const Envelope& e) { events::NotificationOutcome::fromEnvelope(e); }},
        {events::NotificationOutcome::expiredType,
         [](const Envelope& e) { events::NotificationOutcome::fromEnvelope(e); }},
        {events::DunningRetryDue::type, [](const Envelope& e) { events::DunningRetryDue::fromEnvelope(e); }},
        {events::PaymentStateChanged::type, [](const Envelope& e) { events::PaymentStateChanged::fromEnvelope(e); }},
    };
    // The seven payment event types share one decoder.
    for (auto type : events::PaymentEvent::types())
      decoders.emplace(type, [](const Envelope& e) { events::PaymentEvent::fromEnvelope(e); });
    auto it = decoders.find(env.eventType);
    if (it == decoders.end()) return "no decoder for " + env.eventType;
    it->second(env);
    return "";
  } catch (const EventRejected& e) {
    return std::string(rejectReasonName(e.reason())) + ": " + e.what();
  }
}

std::vector<fs::path> examples(const char* kind) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(QRFLEET_SCHEMA_DIR) / "examples" / kind)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}
}  // namespace

TEST_CASE("every valid example passes both the schema and the decoder") {
  SchemaCatalog catalog;
  auto files = examples("valid");
  REQUIRE(files.size() >= 3);
  for (const auto& f : files) {
    CAPTURE(f.filename().string());
    auto text = read(f);
    auto errors = catalog.validate(nlohmann::json::parse(text));
    CHECK_MESSAGE(errors.empty(), (errors.empty() ? "" : errors.front()));
    CHECK(decodeVerdict(text) == "");
  }
}

TEST_CASE("every invalid example fails both the schema and the decoder") {
  SchemaCatalog catalog;
  auto files = examples("invalid");
  REQUIRE(files.size() >= 10);
  for (const auto& f : files) {
    CAPTURE(f.filename().string());
    auto text = read(f);
    CHECK_FALSE(catalog.validate(nlohmann::json::parse(text)).empty());
    CHECK(decodeVerdict(text) != "");
  }
}

TEST_CASE("every event schema has at least one valid example") {
  SchemaCatalog catalog;
  auto valid = examples("valid");
  for (const auto& name : catalog.eventSchemas()) {
    CAPTURE(name);
    bool found = false;
    for (const auto& f : valid) found = found || f.filename().string().rfind(name + ".", 0) == 0;
    CHECK(found);
  }
}
