#pragma once
#include <exception>
#include <string>

#include <stdexcept>

namespace qrfleet {

// Thrown by a handler when a dependency it calls is unavailable: the runtime
// retries the whole batch in place (backoff, readiness false), never dead-letters.
class TransientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How the runtime treats an exception escaping a batch.
enum class FailureKind {
  transient,  // store/broker unreachable, deadlock, serialization, timeout: retry with backoff
  permanent,  // the data or the code is wrong: retrying the same batch will not help
};

// Classifies store errors by type and SQLSTATE: connection loss (08*),
// serialization (40001), deadlock (40P01), shutdown (57P*), lock and statement
// timeouts, resource exhaustion (53*) are transient; constraint violations
// (23*) and other SQL errors from bad data are permanent.
FailureKind classifyFailure(const std::exception& e);
std::string failureReason(const std::exception& e);  // short label for metrics

}  // namespace qrfleet
