#pragma once
#include <chrono>
#include <string>

#include "qrfleet/periodic_task.h"

namespace qrfleet::payments {

// Sends each dunning step that is due (payments.dunning_steps) as
// payments.dunning-retry-due to `topic` (payment-events, keyed by the
// customer: the worker makes the step in order with the customer's other
// events), flushes, then marks the steps emitted. Replicas claim rows with
// SKIP LOCKED; a step sent but not marked (the task died in between) is sent
// again under the same event id and the worker takes the copy as a duplicate.
// Only steps that come next are sent: the dunning must still be scheduled
// (retries) or exhausted (the cancel step), with the step before it made.
PeriodicTask dunningDueTask(std::chrono::milliseconds interval, int claimLimit, std::string topic);

}  // namespace qrfleet::payments
