#pragma once
#include <string_view>

namespace qrfleet::webhook {

// What a provider's signature scheme made of one request. Anything but `valid`
// is answered 400 with signatureProblem(): short, and never the expected value.
enum class SignatureCheck {
  valid,
  missingHeader,     // no signature header at all
  malformedHeader,   // a header that is not of the scheme's form
  noMatch,           // well-formed, but no signature matches any configured secret
  outsideTolerance,  // signed, but the timestamp is too far from now (a replay, or a skewed clock)
};

std::string_view signatureProblem(SignatureCheck check);

}  // namespace qrfleet::webhook
