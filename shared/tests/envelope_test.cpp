#include <doctest/doctest.h>

#include "qrfleet/envelope.h"
#include "qrfleet/json_text.h"

using namespace qrfleet;

namespace {
RejectReason reasonOf(std::string_view text) {
  try {
    Envelope::decode(text);
  } catch (const EventRejected& e) {
    return e.reason();
  }
  FAIL("decoded: " << text);
  return RejectReason::handlerRejected;
}
}  // namespace

TEST_CASE("an envelope round-trips") {
  Envelope e;
  e.eventId = "0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10";
  e.eventType = "scan.recorded";
  e.version = 1;
  e.timestampMs = 1795342530123;
  e.source = "test";
  e.correlationId = "corr-1";
  e.payload = {{"a", 1}};
  auto back = Envelope::decode(e.encode());
  CHECK(back.eventId == e.eventId);
  CHECK(back.eventType == e.eventType);
  CHECK(back.timestampMs == e.timestampMs);
  CHECK(back.correlationId == e.correlationId);
  CHECK_FALSE(back.causationId);
  CHECK(back.payload == e.payload);
}

TEST_CASE("encode() writes the bytes toJson().dump() would, with and without the optional fields") {
  Envelope e;
  e.eventId = "0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10";
  e.eventType = "payment.succeeded";
  e.version = 3;
  e.timestampMs = 1795342530123;
  e.source = "te\"st\n";
  e.payload = {{"body", "{\"a\":\"\u00e9\\t\u0001\"}"}, {"n", -1.5}, {"list", {1, "x", nullptr}}, {"empty", nlohmann::json::object()}};
  CHECK(e.encode() == e.toJson().dump());
  e.correlationId = "corr-\u2603";
  e.causationId = "cause";
  e.tenantId = "tenant-1";
  CHECK(e.encode() == e.toJson().dump());
  e.payload = nlohmann::json::object();
  CHECK(e.encode() == e.toJson().dump());
}

TEST_CASE("appendJson writes what dump() writes, and refuses invalid UTF-8 as dump() does") {
  std::string every;
  for (int c = 1; c < 256; ++c) every += static_cast<char>(c < 128 ? c : 'x');
  std::vector<nlohmann::json> values = {
      nullptr, true, false, 0, -9223372036854775807LL - 1, 18446744073709551615ULL, 1.5, -0.0, 1e300, 3.141592653589793,
      "", every, "caf\u00e9 \u2603 \U0001F600", nlohmann::json::array(), nlohmann::json::object(),
      {{"z", 1}, {"a", {1, "two", nullptr, {{"k\"ey", "v\\"}}}}, {"m", nlohmann::json::array({nlohmann::json::object()})}},
      nlohmann::json::parse(R"({"id":"evt_1","data":{"object":{"amount":1999,"metadata":{},"fee":0.25}},"s":"\u0000\u001f\"\/"})")};
  for (const auto& v : values) {
    std::string out = "prefix";
    appendJson(out, v);
    CHECK(out == "prefix" + v.dump());
  }
  std::string bad;
  CHECK_THROWS_AS(appendJson(bad, nlohmann::json("\xff\xfe")), nlohmann::json::type_error);
  CHECK_THROWS_AS(appendJson(bad, nlohmann::json("\xed\xa0\x80")), nlohmann::json::type_error);  // a surrogate
}

TEST_CASE("malformed JSON and bad envelopes are told apart") {
  CHECK(reasonOf("{not json") == RejectReason::malformedJson);
  CHECK(reasonOf("") == RejectReason::malformedJson);
  CHECK(reasonOf("[1,2]") == RejectReason::invalidEnvelope);
  CHECK(reasonOf(R"({"eventId":"x","eventType":"scan.recorded","version":1,"timestamp":"2026-11-22T10:15:30Z","source":"s","payload":{}})") ==
        RejectReason::invalidEnvelope);
  CHECK(reasonOf(R"({"eventId":"0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10","eventType":"Scan Recorded","version":1,"timestamp":"2026-11-22T10:15:30Z","source":"s","payload":{}})") ==
        RejectReason::invalidEnvelope);
  CHECK(reasonOf(R"({"eventId":"0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10","eventType":"scan.recorded","version":0,"timestamp":"2026-11-22T10:15:30Z","source":"s","payload":{}})") ==
        RejectReason::invalidEnvelope);
  CHECK(reasonOf(R"({"eventId":"0b6f8a52-2c1e-4f0e-9d43-6a1c2b7e9f10","eventType":"scan.recorded","version":1,"timestamp":"2026-11-22T10:15:30Z","source":"s","payload":{},"extra":1})") ==
        RejectReason::invalidEnvelope);
}
