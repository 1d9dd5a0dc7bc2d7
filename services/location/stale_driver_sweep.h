#pragma once
#include <chrono>

#include "qrfleet/periodic_task.h"

namespace qrfleet::location {

// Takes drivers whose latest position is older than `staleAfter` out of the
// GEO sets, so bookings are not offered to phones that went quiet. Their
// hash stays (the API may still show the last position); a newer update puts
// them back. One Lua script per chunk: an update that lands between the read
// and the removal cannot be swept by mistake.
PeriodicTask staleDriverSweep(std::chrono::seconds staleAfter, std::chrono::milliseconds interval);

}  // namespace qrfleet::location
