#pragma once
#include <chrono>

#include "qrfleet/periodic_task.h"

namespace qrfleet::notify {

// Sends each deferred request (notify.scheduled) back to its topic once due,
// as the release copy the handler prepared; the handler marks it released
// when it applies that copy. A copy not applied within 30 s is sent again (a
// replica died between producing and recording): the handler takes the
// second as a duplicate. Replicas claim rows with SKIP LOCKED.
PeriodicTask releaseDueTask(std::chrono::milliseconds interval, int claimLimit);

}  // namespace qrfleet::notify
