#include "signature_check.h"

namespace qrfleet::webhook {

std::string_view signatureProblem(SignatureCheck check) {
  switch (check) {
    case SignatureCheck::valid: return "valid";
    case SignatureCheck::missingHeader: return "missing signature header";
    case SignatureCheck::malformedHeader: return "malformed signature header";
    case SignatureCheck::noMatch: return "no signature matches";
    case SignatureCheck::outsideTolerance: return "timestamp outside the tolerance";
  }
  return "bad signature";
}

}  // namespace qrfleet::webhook
