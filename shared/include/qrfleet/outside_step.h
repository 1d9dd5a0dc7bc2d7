#pragma once
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace qrfleet {

struct ConsumedEvent;

enum class StepStatus {
  succeeded,            // the provider accepted: recorded, never called again for this event
  failedPermanently,    // the provider refused for good (4xx, bad address): dead-letter the event
  failedTransiently,    // try again later (timeout, 5xx, 429, circuit open, rate limited)
  notCalled,            // under replay, with no recorded outcome: outside calls are never made by a replay
};
std::string_view stepStatusName(StepStatus s);

// What one outside call came to.
struct StepOutcome {
  StepStatus status = StepStatus::failedTransiently;
  // Recorded with a final outcome and handed back on later runs: a provider's
  // message id, an object's ETag, an error text. Never a secret.
  std::string detail;
  std::chrono::milliseconds retryAfter{0};  // a transient failure's Retry-After, 0 if none
  bool fromLedger = false;                  // an earlier run made the call; this run did not
  // A transient failure that certainly did not reach the provider's effect
  // (no connection, 429, 503): another provider may be tried at once. After
  // a timeout or another 5xx the call may have been acted on, so failing over
  // could deliver twice; ProviderFailover then waits for the retry instead.
  bool notDelivered = false;

  static StepOutcome success(std::string detail = {}) { return {StepStatus::succeeded, std::move(detail), {}, false, false}; }
  static StepOutcome permanent(std::string detail) {
    return {StepStatus::failedPermanently, std::move(detail), {}, false, false};
  }
  static StepOutcome transient(std::string detail, std::chrono::milliseconds retryAfter = {}, bool notDelivered = false) {
    return {StepStatus::failedTransiently, std::move(detail), retryAfter, false, notDelivered};
  }
  // Only a success is final: a step refused for good is called again if its
  // event runs again (a redrive from the dead-letter queue after the cause was
  // fixed must not get the old refusal back); refusals act on nothing.
  bool final() const { return status == StepStatus::succeeded; }
};

// What a call is given: the key to pass to the provider (an Idempotency-Key
// header, a Message-ID, an object name) so that the one at-least-once window
// (a worker that dies after the call returns and before its outcome is
// recorded) is closed where the provider honours it; and which attempt of
// this step it is (1 on the first).
struct OutsideCall {
  std::string idempotencyKey;
  int attempt = 1;
};

struct OutsideStep;

// One provider call that carries many steps (a push provider's multicast, an
// SMS provider's bulk endpoint): the steps of one run that point at the same
// OutsideBatchCall, and have no orderKey, go out together, up to `maxSteps` a
// call. Each step still has its own ledger record, idempotency key and
// outcome, so a re-run repeats none that succeeded, whatever batch it was in.
struct OutsideBatchCall {
  std::size_t maxSteps = 500;
  // The steps of one call (pointers into the span given to callOutside) and
  // their calls; one outcome per step, in order. Throwing counts as a
  // transient failure of every step in the call.
  std::function<std::vector<StepOutcome>(std::span<const OutsideStep* const>, std::span<const OutsideCall>)> call;
};

// One outside step of one event: an SMTP send, an HTTP request, an object put.
// `name` is unique within the event and says what is done to what
// ("send:email:<notificationId>", "put:<objectKey>"): the ledger records the
// step's outcome under (eventId, name) and a later run of the same event gets
// it back instead of calling again.
struct OutsideStep {
  const ConsumedEvent* event = nullptr;
  std::string name;
  // What the per-target concurrency limit counts ("smtp", "push-api", "s3").
  std::string target;
  // Steps sharing a non-empty key run one after another in the order given
  // (e.g. per recipient); others run concurrently.
  std::string orderKey;
  // Runs on a pool thread; may block (it has the thread). Throwing counts as a
  // transient failure with the exception's text.
  std::function<StepOutcome(const OutsideCall&)> call;
  // What the ledger records the step under, with `name`; empty: the event's
  // id. A step that belongs to an entity rather than one event (a batch's
  // archive, made by whichever chunk finishes the batch, which a re-run or a
  // replay may see in another order) names the entity, so it is made once.
  std::string subject = {};
  // Steps of higher priority are called first when the pool is busy: an
  // urgent message does not queue behind a bulk backlog's calls.
  int priority = 0;
  // Set: the step goes out in a batch call (and `call` is not used).
  std::shared_ptr<const OutsideBatchCall> batch = {};
};

}  // namespace qrfleet
