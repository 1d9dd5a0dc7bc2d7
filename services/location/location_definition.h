#pragma once
#include "qrfleet/service_definition.h"

// qrfleet-location: driver locations (location-updates) and the booking
// broadcast (bookings) -> Redis GEO and driver state, location schema history.
qrfleet::ServiceDefinition locationDefinition();
