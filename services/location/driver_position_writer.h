#pragma once
#include <prometheus/counter.h>

#include <span>

#include "qrfleet/batch_handler.h"
#include "qrfleet/events/location_updated.h"
#include "qrfleet/runtime_metrics.h"

namespace qrfleet::location {

// location.updated -> each driver's latest position in Redis (hash, GEO set of
// its vehicle type, last-seen score), live positions for the customer of the
// driver's booking, and every fix in the Postgres history.
//
// An update older than the stored one (by recordedAt) changes nothing in
// Redis: phones resend buffered fixes after a tunnel. A driver's updates share
// a partition (key driverId), so the partition's owner is the only writer of
// its position and may read the stored time before writing.
class DriverPositionWriter {
 public:
  explicit DriverPositionWriter(RuntimeMetrics& metrics);
  void apply(std::span<const Decoded<events::LocationUpdated>> updates, Effects& effects);

 private:
  prometheus::Counter& staleUpdates_;
};

}  // namespace qrfleet::location
