#include <doctest/doctest.h>

#include "qrfleet/envelope.h"

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
